"""The waiting list for staff: the list with its offers, reception adding a patient, the dashboard's figures."""

import pytest

from clinic.booking import services as booking
from clinic.models import Outbox, Patient, WaitlistEntry
from clinic.staff import roles
from clinic.waitlist import offering
from clinic.waitlist import services as waitlist
from tests.clinic_fixtures import ANSWERS, TUESDAY, at
from tests.helpers import soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(join, full_tuesday_morning, now):
    """Three waiting; the oldest was offered the freed 10:30 and took it."""
    older = join("older@example.org", days_ago=3)
    join("newer@example.org", days_ago=1)
    join("other@example.org", days_ago=2, practitioner=None)
    freed = next(a for a in full_tuesday_morning if a.starts_at == at(TUESDAY, 10, 30))
    booking.cancel_appointment(appointment=freed, by_clinic=True, now=now)
    offering.make_offers(now=now)
    waitlist.accept(offer=older.offers.get(), answers=ANSWERS, now=now)
    return older


def test_the_list_shows_offers_made_accepted_and_expired(
    staff_client, settings, offered, django_assert_max_num_queries
):
    client = staff_client(roles.RECEPTION)
    with django_assert_max_num_queries(15):
        page = client.get(f"/{settings.ADMIN_URL}clinic/waitlistentry/")
    rows = {r.select_one(".field-patient").get_text(): r for r in soup(page).select("#result_list tbody tr")}
    assert set(rows) == {"older", "newer", "other"}
    older = rows["older"]
    assert older.select_one(".field-offers_made").get_text() == "1"
    assert older.select_one(".field-offers_accepted").get_text() == "1"
    assert older.select_one(".field-status").get_text() == "Booked"
    filtered = client.get(f"/{settings.ADMIN_URL}clinic/waitlistentry/?status__exact=waiting")
    assert len(soup(filtered).select("#result_list tbody tr")) == 2
    change = client.get(f"/{settings.ADMIN_URL}clinic/waitlistentry/{offered.pk}/change/").content.decode()
    assert "Accepted" in change  # the offers inline


def test_reception_adds_a_patient_and_they_get_the_link(staff_client, settings, book, dr_shah, consultation, now):
    appointment = book(at(TUESDAY, 10), dr_shah)
    client = staff_client(roles.RECEPTION)
    response = client.post(
        f"/{settings.ADMIN_URL}clinic/waitlistentry/add/",
        {
            "patient": appointment.patient.pk,
            "consultation_type": consultation.pk,
            "practitioner": "",
            "weekdays": ["0", "4"],
            "times_of_day": ["afternoon"],
            "latest_date": "2027-02-01",
            "offers-TOTAL_FORMS": "0",
            "offers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, soup(response).select(".errorlist")
    entry = WaitlistEntry.objects.get()
    assert (entry.weekdays, entry.times_of_day, entry.source) == ("04", "afternoon", "staff")
    assert entry.added_by == client.user and entry.joined_at == now
    assert Outbox.objects.filter(kind="waitlist_joined", recipient=appointment.patient.email).exists()


def test_staff_remove_someone_from_the_list(staff_client, settings, join, now):
    entry = join("pat@example.org")
    client = staff_client(roles.RECEPTION)
    client.post(
        f"/{settings.ADMIN_URL}clinic/waitlistentry/",
        {"action": "remove_from_list", "_selected_action": [entry.pk]},
    )
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.REMOVED
    assert client.post(f"/{settings.ADMIN_URL}clinic/waitlistentry/{entry.pk}/delete/").status_code == 403


def test_the_dashboard_counts_who_waits_and_what_the_list_filled_this_month(staff_client, settings, offered):
    reception = soup(staff_client(roles.RECEPTION).get(f"/{settings.ADMIN_URL}")).get_text(" ", strip=True)
    assert "Waiting list 2 waiting; 1 time filled from the list this month." in reception
    editor = soup(staff_client(roles.CONTENT_EDITOR).get(f"/{settings.ADMIN_URL}")).get_text()
    assert "Waiting list" not in editor


def test_patient_pages_need_no_login_but_give_nothing_away(client, db):
    assert client.get("/waitlist/join/").status_code == 200
    assert client.get("/waitlist/joined/").status_code == 404
    assert client.get("/waitlist/done/booked/").status_code == 404
    assert client.get("/waitlist/done/left/").status_code == 404
    assert Patient.objects.count() == 0


def test_a_place_no_longer_waiting_is_read_only(staff_client, settings, offered):
    url = f"/{settings.ADMIN_URL}clinic/waitlistentry/{offered.pk}/change/"
    client = staff_client(roles.RECEPTION)
    assert client.get(url).status_code == 200
    response = client.post(url, {"offers-TOTAL_FORMS": "1", "offers-INITIAL_FORMS": "1"})
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == WaitlistEntry.Status.BOOKED and offered.times_of_day == "morning"


def test_staff_change_what_suits_a_waiting_patient(staff_client, settings, join, consultation):
    entry = join("pat@example.org")
    response = staff_client(roles.RECEPTION).post(
        f"/{settings.ADMIN_URL}clinic/waitlistentry/{entry.pk}/change/",
        {
            "consultation_type": consultation.pk,
            "practitioner": "",
            "weekdays": ["2"],
            "times_of_day": ["afternoon", "evening"],
            "latest_date": "2027-01-15",
            "offers-TOTAL_FORMS": "0",
            "offers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, soup(response).select(".errorlist")
    entry.refresh_from_db()
    assert (entry.weekdays, entry.times_of_day, entry.practitioner) == ("2", "afternoon,evening", None)
