"""The waiting list's patient pages: joining from the time picker, the place from the email's link, taking a time."""

import datetime

import pytest

from clinic.booking import services as booking
from clinic.models import Appointment, Outbox, Patient, WaitlistEntry
from clinic.waitlist import offering
from tests.clinic_fixtures import ANSWERS, TUESDAY, at
from tests.helpers import soup

from .conftest import offer_token, send_and_read_token

pytestmark = pytest.mark.django_db

JOIN = {
    "consultation_type": "milia-consultation",
    "practitioner": "any",
    "weekdays": ["0", "1", "2"],
    "times_of_day": ["morning"],
    "latest_date": "2027-01-31",
    "name": "Pat Example",
    "email": "pat@example.org",
    "phone": "07911 123456",
    "date_of_birth": "1990-05-17",
    "privacy_consent": "on",
}


def test_the_time_picker_offers_the_waiting_list(client, clinic_schedule, now):
    client.get("/book/?consultation_type=milia-consultation&practitioner=any")
    page = soup(client.get("/book/times/"))
    link = page.find("a", string="Join the waiting list")
    assert link["href"] == "/waitlist/join/?consultation_type=milia-consultation"


def test_it_is_prominent_when_the_week_shown_has_no_free_time(client, clinic_schedule, now):
    from clinic.models import Closure

    Closure.objects.create(first_day=datetime.date(2026, 12, 14), last_day=datetime.date(2026, 12, 20), reason="Away")
    client.get("/book/?consultation_type=milia-consultation&practitioner=any")
    page = soup(client.get("/book/times/?week=2026-12-14"))
    assert page.find("h2", string="No free time? Join the waiting list") is not None


def test_joining_puts_the_patient_on_the_list_and_emails_a_link(client, clinic_schedule, now):
    form = soup(client.get("/waitlist/join/?consultation_type=milia-consultation"))
    assert form.find("input", {"name": "consultation_type", "value": "milia-consultation"}).has_attr("checked")
    response = client.post("/waitlist/join/", JOIN)
    assert response.status_code == 302 and response["Location"] == "/waitlist/joined/"
    entry = WaitlistEntry.objects.get()
    assert (entry.weekdays, entry.times_of_day, entry.practitioner) == ("012", "morning", None)
    assert entry.patient.phone == "+447911123456" and entry.privacy_notice_version == "2026-11"
    assert "You are on the waiting list" in client.get("/waitlist/joined/").content.decode()
    token = send_and_read_token(Outbox.objects.get(kind="waitlist_joined"))
    page = client.get(f"/waitlist/place/{token}/").content.decode()
    assert "Monday, Tuesday, Wednesday" in page and "Mornings" in page


def test_a_form_with_mistakes_stores_nothing(client, clinic_schedule, now):
    response = client.post("/waitlist/join/", {**JOIN, "weekdays": [], "privacy_consent": ""})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Choose at least one day." in text and "keep your place on the waiting list" in text
    assert not WaitlistEntry.objects.exists() and not Patient.objects.exists()


def test_joining_online_never_changes_an_existing_patient_s_record(client, book, dr_shah, now):
    book(at(TUESDAY, 10), dr_shah)  # pat@example.org, "Pat Example", +447911123456
    client.post("/waitlist/join/", {**JOIN, "name": "Someone Else", "phone": "07911 123457"})
    patient = Patient.objects.get()
    assert (patient.name, patient.phone) == ("Pat Example", "+447911123456")
    assert WaitlistEntry.objects.get().given_name == "Someone Else"


def test_changing_and_leaving_from_the_link(client, join, now):
    entry = join("pat@example.org")
    token = send_and_read_token(Outbox.objects.get(kind="waitlist_joined"))
    changed = {k: JOIN[k] for k in ("consultation_type", "practitioner", "latest_date")}
    response = client.post(
        f"/waitlist/place/{token}/change/", {**changed, "weekdays": ["4"], "times_of_day": ["evening"]}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.weekdays, entry.times_of_day, entry.practitioner) == ("4", "evening", None)
    assert client.get(f"/waitlist/place/{token}/leave/").status_code == 200
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING  # a GET never changes anything
    assert client.post(f"/waitlist/place/{token}/leave/")["Location"] == "/waitlist/done/left/"
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.LEFT
    assert client.get(f"/waitlist/place/{token}/").status_code == 404


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 43])
def test_unknown_links_are_a_404(client, db, token):
    assert client.get(f"/waitlist/place/{token}/").status_code == 404
    assert client.post(f"/waitlist/place/{token}/leave/").status_code == 404


def test_taking_an_offered_time_from_the_email(client, join, full_tuesday_morning, now):
    entry = join("older@example.org", days_ago=3)
    freed = next(a for a in full_tuesday_morning if a.starts_at == at(TUESDAY, 10, 30))
    booking.cancel_appointment(appointment=freed, by_clinic=True, now=now)
    offering.make_offers(now=now)
    offer = entry.offers.get()
    token = offer_token(offer)
    page = soup(client.get(f"/waitlist/place/{token}/"))
    accept_url = page.find("a", string="Take this time")["href"]
    assert accept_url == f"/waitlist/place/{token}/offer/{offer.pk}/"
    assert client.get(accept_url).status_code == 200
    response = client.post(accept_url, ANSWERS)
    assert response["Location"] == "/waitlist/done/booked/"
    appointment = Appointment.objects.get(starts_at=at(TUESDAY, 10, 30), status="booked")
    assert appointment.reference in client.get("/waitlist/done/booked/").content.decode()
    assert client.get(f"/waitlist/place/{token}/").status_code == 404  # no longer waiting


def test_an_expired_offer_says_so_and_keeps_the_place(client, join, full_tuesday_morning, now):
    entry = join("older@example.org", days_ago=3)
    freed = next(a for a in full_tuesday_morning if a.starts_at == at(TUESDAY, 10, 30))
    booking.cancel_appointment(appointment=freed, by_clinic=True, now=now)
    offering.make_offers(now=now)
    offer = entry.offers.get()
    token = offer_token(offer)
    offer.expires_at = now - datetime.timedelta(minutes=1) + datetime.timedelta(seconds=1)
    offer.offered_at = offer.expires_at - datetime.timedelta(hours=1)
    offer.save()
    response = client.post(f"/waitlist/place/{token}/offer/{offer.pk}/", ANSWERS)
    assert response.status_code == 410
    assert "You keep your place" in response.content.decode()
