"""What the desk works from: the agenda's past and bookable times, the upcoming appointments, dashboard tiles."""

import datetime
import re

import pytest
import time_machine
from bs4 import BeautifulSoup

from clinic.aftercare.services import record_treatment
from clinic.models import AftercareCheckIn, Appointment, Outbox
from clinic.staff import roles
from tests.clinic_fixtures import NOW, TUESDAY, at
from tests.factories import OutboxFactory
from tests.helpers import soup
from treatments.models import TreatmentPage

from .test_agenda import column

pytestmark = pytest.mark.django_db

MONDAY = NOW.date()


def agenda(client, settings, day):
    return soup(client.get(f"/{settings.ADMIN_URL}agenda/{day.isoformat()}/"))


def test_working_time_gone_by_reads_past_and_free_time_ahead_books(staff_client, settings, book, dr_shah):
    with time_machine.travel(at(MONDAY, 11, 10), tick=False):
        page = agenda(staff_client(roles.RECEPTION), settings, MONDAY)
    cells = {time: (kind, text) for time, kind, text, _ in column(page, "Dr Amira Shah")}
    assert cells["09:00"] == ("past", "Past") and cells["11:00"][0] == "past"  # 11:00 has begun
    assert cells["11:15"][0] == "free" and cells["11:15"][1].startswith("Free")
    assert cells["12:30"][0] == "off"
    assert "Free" not in " ".join(text for kind, text in cells.values() if kind == "past")


def test_a_past_day_has_no_free_time_and_a_future_day_no_past(reception, settings, clinic_schedule):
    past = {
        kind for _, kind, _, _ in column(agenda(reception, settings, MONDAY - datetime.timedelta(days=7)), "Sam Okafor")
    }
    future = {kind for _, kind, _, _ in column(agenda(reception, settings, TUESDAY), "Sam Okafor")}
    assert "free" not in past and "past" in past
    assert "past" not in future and "free" in future


def test_free_times_are_plain_text_for_staff_who_cannot_book(staff_client, settings, now, clinic_schedule):
    viewer = staff_client(perms=["view_appointment"])
    page = agenda(viewer, settings, TUESDAY)
    assert page.select(".agenda-free") and not page.select(".agenda-free a")


def test_the_agenda_jumps_to_any_date_with_a_plain_form(reception, settings):
    page = soup(reception.get(f"/{settings.ADMIN_URL}agenda/"))
    form = page.find("form", class_="agenda-jump")
    assert form["method"] == "get" and form.find("input", attrs={"type": "date", "name": "day"})
    jumped = soup(reception.get(form["action"], {"day": "2027-03-02"}))
    assert "Agenda for Tuesday 2 March 2027" in jumped.h1.get_text()


def test_an_appointment_cell_carries_flags_given_to_it(book):
    """Flags (the agenda view adds the call-back flag): build_agenda leaves them empty, the template shows them."""
    from django.template.loader import render_to_string

    from clinic.admin.agenda import AgendaRow, Cell

    cell = Cell("appointment", appointment=book(at(TUESDAY, 10)), flags=["Concern open"])
    days = {"day": TUESDAY, "today": MONDAY, "previous_day": MONDAY, "next_day": TUESDAY}
    html = render_to_string("admin/clinic/agenda.html", {"rows": [AgendaRow(at(TUESDAY, 10), [cell])], **days})
    assert [flag.get_text() for flag in BeautifulSoup(html, "html.parser").select(".agenda-flag")] == ["Concern open"]


# --- The appointments list ---------------------------------------------------------------


def list_rows(client, settings, **params):
    return soup(client.get(f"/{settings.ADMIN_URL}clinic/appointment/", params)).select("#result_list tbody tr")


def test_the_list_opens_on_upcoming_appointments_earliest_first(staff_client, settings, book, dr_shah):
    last_week = book(at(MONDAY - datetime.timedelta(days=7), 10), dr_shah, now=NOW - datetime.timedelta(days=9))
    this_morning = book(at(MONDAY, 9), dr_shah, now=NOW - datetime.timedelta(days=2))
    tuesday = book(at(TUESDAY, 10), dr_shah)
    with time_machine.travel(at(MONDAY, 12), tick=False):
        desk = staff_client(roles.RECEPTION)
        shown = [r.get_text(" ") for r in list_rows(desk, settings)]
        everything = [r.get_text(" ") for r in list_rows(desk, settings, when="all")]
        searched = [r.get_text(" ") for r in list_rows(desk, settings, q=last_week.reference)]
    assert [this_morning.reference in shown[0], tuesday.reference in shown[1], len(shown)] == [True, True, 2]
    assert len(everything) == 3
    assert len(searched) == 1  # a search looks at every date


def test_the_status_column_comes_right_after_the_time(reception, settings, book):
    book(at(TUESDAY, 10))
    page = soup(reception.get(f"/{settings.ADMIN_URL}clinic/appointment/"))
    headers = [th.get_text(strip=True) for th in page.select("#result_list thead th")]
    assert headers[1:3] == ["Starts at", "Status"]


# --- Dashboard tiles: the count and the rows of the list they link to ------------------------


def figure(page, heading):
    return int(page.find("h2", string=re.compile(heading)).find_next("p").get_text())


def linked_rows(client, href):
    response = client.get(href)
    assert response.status_code == 200, href
    return len(soup(response).select("#result_list tbody tr"))


def test_every_dashboard_tile_counts_exactly_the_rows_of_the_list_it_links_to(staff_client, settings, book, dr_shah):
    from clinic.booking.services import cancel_appointment

    earlier = NOW - datetime.timedelta(days=3)
    first = book(at(MONDAY, 9), dr_shah, now=earlier)
    cancelled = book(at(MONDAY, 11), dr_shah, now=earlier)
    book(at(TUESDAY, 10), dr_shah)  # tomorrow: not counted
    cancel_appointment(appointment=cancelled, by_clinic=True, now=earlier)
    record = record_treatment(
        patient=first.patient,
        treatment=TreatmentPage.objects.get(slug="laser"),
        practitioner=dr_shah,
        performed_at=earlier,
        now=earlier,
    )
    for feeling, handled in [("worried", None), ("worried", None), ("worried", earlier), ("ok", None)]:
        AftercareCheckIn.objects.create(record=record, feeling=feeling, created_at=earlier, handled_at=handled)
    OutboxFactory.create_batch(2, status=Outbox.Status.FAILED)
    OutboxFactory(status=Outbox.Status.SENT)

    manager = staff_client(roles.CLINIC_MANAGER)
    page = soup(manager.get(f"/{settings.ADMIN_URL}"))
    today = int(re.search(r"Today's appointments \((\d+)\)", page.get_text()).group(1))
    links = {a.get_text(strip=True): a["href"] for a in page.select("a.dashboard-list-link")}
    assert today == 2 == linked_rows(manager, links["See them in the appointments list"])
    assert figure(page, "Aftercare concerns waiting") == 2 == linked_rows(manager, links["See the concerns waiting"])
    assert figure(page, "Failed emails") == 2 == linked_rows(manager, links["See failed emails"])
    pages = [(int(re.search(r"\((\d+)\)", text).group(1)), href) for text, href in links.items() if "pages (" in text]
    assert len(pages) == 2
    assert sum(count for count, _ in pages) == figure(page, "Pages due for clinical review")
    for count, href in pages:
        assert count == linked_rows(manager, href)
    assert Appointment.objects.count() == 3
