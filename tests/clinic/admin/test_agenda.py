"""The day's agenda, the dashboard, free-time previews and the appointments CSV."""

import csv
import datetime
import io

import pytest

from clinic.models import Closure, Outbox
from clinic.staff import roles
from tests.clinic_fixtures import NOW, TUESDAY, at
from tests.factories import OutboxFactory
from tests.helpers import inline_code, soup
from tests.review_fixtures import unsign
from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db

MONDAY = NOW.date()


def agenda(client, settings, day=None):
    path = f"/{settings.ADMIN_URL}agenda/" + (f"{day.isoformat()}/" if day else "")
    return client.get(path)


def column(page, practitioner_name):
    """The cells of one practitioner's column, as (time of the row it starts in, kind, text)."""
    headers = [th.get_text(strip=True) for th in page.select("table.agenda thead th")]
    index = headers.index(practitioner_name)
    covered = {}  # column -> rows still covered by a rowspan from above
    found = []
    for row in page.select("table.agenda tbody tr"):
        time = row.th.get_text(strip=True)
        col = 1
        cells = iter(row.find_all("td"))
        while True:
            while covered.get(col, 0) > 0:
                covered[col] -= 1
                col += 1
            cell = next(cells, None)
            if cell is None:
                break
            span = int(cell.get("rowspan", 1))
            if span > 1:
                covered[col] = span - 1
            if col == index:
                kind = next(c for c in cell["class"] if c.startswith("agenda-")).removeprefix("agenda-")
                found.append((time, kind, cell.get_text(" ", strip=True), span))
            col += 1
    return found


def test_the_agenda_shows_each_practitioner_with_appointments_and_the_gaps(reception, settings, book, dr_shah, sam):
    book(at(TUESDAY, 10), practitioner=dr_shah)
    response = agenda(reception, settings, TUESDAY)
    assert response.status_code == 200
    page = soup(response)
    assert "Agenda for Tuesday 8 December 2026" in page.h1.get_text()
    shah = column(page, "Dr Amira Shah")
    by_time = {time: (kind, text, span) for time, kind, text, span in shah}
    # A 30-minute consultation plus its 10-minute buffer holds three quarter-hour rows.
    assert by_time["10:00"][0] == "appointment" and by_time["10:00"][2] == 3
    assert "Pat Example" in by_time["10:00"][1]
    assert "10:15" not in by_time and "10:30" not in by_time
    assert by_time["09:45"][0] == "free" and by_time["10:45"][0] == "free"
    assert by_time["12:30"][0] == "off"  # lunch
    assert all(kind in ("free", "off") for _, kind, _, _ in column(page, "Sam Okafor"))


def test_each_appointment_links_to_its_page(reception, settings, book, dr_shah):
    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    page = soup(agenda(reception, settings, TUESDAY))
    assert page.find("a", href=f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/change/")


def test_closures_show_on_the_agenda(reception, settings, dr_shah, sam):
    Closure.objects.create(
        practitioner=dr_shah,
        first_day=TUESDAY,
        start_time=datetime.time(14),
        end_time=datetime.time(15),
        reason="Training",
    )
    Closure.objects.create(first_day=TUESDAY + datetime.timedelta(days=1), reason="Staff day")
    page = soup(agenda(reception, settings, TUESDAY))
    shah = {time: kind for time, kind, _, _ in column(page, "Dr Amira Shah")}
    assert shah["14:00"] == shah["14:45"] == "closed" and shah["15:00"] == "free"
    assert "Closed: Training" in page.get_text()
    whole_day = soup(agenda(reception, settings, TUESDAY + datetime.timedelta(days=1)))
    assert "Clinic closed: Staff day" in whole_day.get_text()
    assert {kind for _, kind, _, _ in column(whole_day, "Sam Okafor")} == {"closed"}


def test_the_agenda_defaults_to_today_and_links_to_the_days_around(reception, settings):
    page = soup(agenda(reception, settings))
    assert "Monday 7 December 2026" in page.h1.get_text()
    assert page.find("a", rel="prev")["href"] == f"/{settings.ADMIN_URL}agenda/2026-12-06/"
    assert page.find("a", rel="next")["href"] == f"/{settings.ADMIN_URL}agenda/2026-12-08/"


def test_the_agenda_is_printable_and_has_no_inline_code(reception, settings):
    page = soup(agenda(reception, settings))
    assert inline_code(page) == []
    assert page.select_one("button.agenda-print")
    assert any("admin_agenda" in s["src"] for s in page.find_all("script", src=True))


def test_the_agenda_costs_the_same_queries_for_one_appointment_or_many(
    reception, settings, book, dr_shah, sam, django_assert_max_num_queries
):
    book(at(TUESDAY, 10), practitioner=dr_shah)
    with django_assert_max_num_queries(12) as few:
        agenda(reception, settings, TUESDAY)
    for hour in (11, 14, 15):
        book(at(TUESDAY, hour), practitioner=sam)
    with django_assert_max_num_queries(len(few.captured_queries)):
        agenda(reception, settings, TUESDAY)


def test_a_bad_date_is_a_404(reception, settings):
    assert reception.get(f"/{settings.ADMIN_URL}agenda/not-a-day/").status_code == 404


# --- Dashboard -------------------------------------------------------------------


def test_the_dashboard_shows_today_failed_email_and_pages_due(staff_client, settings, book, now, dr_shah):
    today = book(NOW + datetime.timedelta(hours=3), practitioner=dr_shah, now=NOW - datetime.timedelta(days=2))
    OutboxFactory(status=Outbox.Status.FAILED)
    for slug in ("laser", "excision"):  # the tests' content is signed off: take two pages' sign-off away
        unsign(TreatmentPage.objects.get(slug=slug))
    manager = staff_client(roles.CLINIC_MANAGER)
    page = soup(manager.get(f"/{settings.ADMIN_URL}"))
    assert page.select_one("#site-name").get_text(strip=True) == settings.CLINIC_NAME
    text = page.get_text(" ")
    assert "Today's appointments (1)" in text and today.patient.name in text
    failed = page.find("h2", string="Failed emails").find_next("p").get_text()
    assert failed == "1"
    due = page.find("h2", string="Pages due for clinical review").find_next("p").get_text()
    assert int(due) == 2
    assert "Aftercare concerns waiting" in text


# --- Free times ------------------------------------------------------------------------


def test_the_free_times_preview_lists_the_next_seven_days(reception, settings, book, dr_shah):
    book(at(TUESDAY, 10), practitioner=dr_shah)
    response = reception.get(f"/{settings.ADMIN_URL}clinic/practitioner/{dr_shah.pk}/free-times/")
    assert response.status_code == 200
    page = soup(response)
    days = [dt.get_text() for dt in page.select(".free-times dt")]
    assert "Tuesday 8 December" in days
    assert "Saturday 12 December" not in days  # not a working day
    tuesday = page.find("dt", string="Tuesday 8 December").find_next("dd").get_text()
    assert "09:00" in tuesday and "10:00" not in tuesday  # taken
    assert "Monday 7 December" not in days  # within the 12 hours' notice


def test_the_practitioner_page_edits_weekly_hours_inline(reception, settings, dr_shah):
    body = reception.get(f"/{settings.ADMIN_URL}clinic/practitioner/{dr_shah.pk}/change/").content.decode()
    assert 'name="working_hours-0-weekday"' in body


# --- CSV export -----------------------------------------------------------------------------


def test_appointments_export_as_csv_in_a_date_range(reception, settings, book, dr_shah):
    book(at(TUESDAY, 10), practitioner=dr_shah)
    book(at(TUESDAY + datetime.timedelta(days=8), 10), practitioner=dr_shah)
    url = f"/{settings.ADMIN_URL}appointments.csv"
    assert "Download CSV" in reception.get(url).content.decode()
    response = reception.get(url, {"first_day": "2026-12-07", "last_day": "2026-12-08"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Reference", "Date", "Time"]
    assert len(rows) == 2
    assert rows[1][1:4] == ["2026-12-08", "10:00", "Dr Amira Shah"]
    assert rows[1][6:] == ["Pat Example", "pat@example.org", "+447911123456"]


def test_a_formula_in_a_name_is_not_run_by_the_spreadsheet(reception, settings, book):
    from tests.clinic_fixtures import details

    book(at(TUESDAY, 10), details=details(name='=HYPERLINK("http://evil.test")'))
    response = reception.get(
        f"/{settings.ADMIN_URL}appointments.csv", {"first_day": "2026-12-08", "last_day": "2026-12-08"}
    )
    row = list(csv.reader(io.StringIO(response.content.decode())))[1]
    assert row[6].startswith("'=")


def test_a_backwards_range_is_a_form_error(reception, settings):
    response = reception.get(
        f"/{settings.ADMIN_URL}appointments.csv", {"first_day": "2026-12-08", "last_day": "2026-12-01"}
    )
    assert response.status_code == 200 and "cannot be before" in response.content.decode()
