"""'First available time' searches week by week and stops early, with the exhaustive search's answer."""

import datetime

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.booking import schedule
from clinic.booking.picker import picker_days
from clinic.lib import clock
from clinic.models import Appointment, Closure, Patient, Practitioner
from tests.clinic_fixtures import NOW, at

pytestmark = pytest.mark.django_db
TODAY = NOW.date()


def exhaustive_first(kind, practitioner):
    last = TODAY + datetime.timedelta(days=schedule.booking_rules().horizon_days)
    slots = schedule.free_slots(
        consultation_type=kind, practitioner=practitioner, first_day=TODAY, last_day=last, now=NOW
    )
    return slots[0].start if slots else None


def week_by_week_first(kind, practitioner):
    found = schedule.first_week_with_free_time(consultation_type=kind, practitioner=practitioner, today=TODAY, now=NOW)
    return found[1][0] if found else None


def fill(kind, practitioner, patient, days):
    """Book every start of `practitioner`'s hours on these days (a full diary), hour by hour."""
    for day in days:
        for hour in (9, 10, 11, 13, 14, 15, 16):
            start = at(day, hour)
            Appointment.objects.create(
                patient=patient,
                practitioner=practitioner,
                consultation_type=kind,
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=50),
                blocks_until=start + datetime.timedelta(minutes=60),
                privacy_notice_version="test",
                consented_at=NOW,
            )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    closed_weeks=st.integers(0, 10),
    booked_days=st.lists(st.integers(0, 70), max_size=12, unique=True),
    who=st.sampled_from(["any", 0, 1]),
    closure_on=st.sampled_from(["clinic", 0, 1]),
)
def test_week_by_week_finds_the_exhaustive_searchs_first_slot(consultation, closed_weeks, booked_days, who, closure_on):
    """Closures of any length (past the horizon included), full days anywhere, one practitioner or any: same answer."""
    people = list(Practitioner.objects.order_by("pk"))
    patient, _ = Patient.objects.get_or_create(
        email="full@example.test", defaults={"name": "Full", "phone": "+447911123456"}
    )
    with transaction.atomic():
        if closed_weeks:
            Closure.objects.create(
                practitioner=None if closure_on == "clinic" else people[closure_on],
                first_day=TODAY,
                last_day=TODAY + datetime.timedelta(days=7 * closed_weeks - 1),
                reason="Away",
            )
        for p in people:
            fill(consultation, p, patient, [TODAY + datetime.timedelta(days=d) for d in booked_days])
        practitioner = None if who == "any" else people[who]
        expected = exhaustive_first(consultation, practitioner)
        assert week_by_week_first(consultation, practitioner) == expected
        # The picker's times alone (no slot per practitioner) are the slots' distinct starts.
        search = {"consultation_type": consultation, "practitioner": practitioner, "first_day": TODAY, "now": NOW}
        last = TODAY + datetime.timedelta(days=schedule.booking_rules().horizon_days)
        slots = schedule.free_slots(**search, last_day=last)
        assert schedule.free_starts(**search, last_day=last) == sorted({slot.start for slot in slots})
        transaction.set_rollback(True)


def test_it_stops_at_the_first_week_with_a_free_slot(consultation):
    """A free slot this week: one week's four queries, not the horizon's nine weeks."""
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        monday, slots = schedule.first_week_with_free_time(
            consultation_type=consultation, practitioner=None, today=TODAY, now=NOW
        )
    assert monday == TODAY - datetime.timedelta(days=TODAY.weekday()) and slots
    assert len(queries) <= 4


def test_the_time_picker_first_available_reuses_the_week_it_found(
    client, consultation, now, django_assert_max_num_queries
):
    """The week the search found is the week shown: no second search (at most 12 queries in all)."""
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    with django_assert_max_num_queries(12):
        page = client.get("/book/times/", {"first": "1"})
    first = exhaustive_first(consultation, None)
    html = page.content.decode()
    assert f'value="{clock.local(first).isoformat()}" checked' in html


def test_picker_strings_are_what_the_template_filters_made():
    start = at(datetime.date(2026, 12, 8), 9, 30)
    [day] = picker_days([(start.date(), [start, at(start.date(), 10)])])
    assert day.heading == "Tuesday 8 December"
    first = day.slots[0]
    assert (first.value, first.id, first.time, first.label) == (
        start.isoformat(),
        "slot-20261208-0930-1",
        "09:30",
        "Tuesday 8 December at 09:30",
    )
    assert day.slots[1].id == "slot-20261208-1000-2"


def test_the_picker_grid_is_the_markup_the_template_loop_made():
    """One fieldset a day, one radio a slot; the chosen one checked, a fixed one labelled, an empty day said so."""
    from bs4 import BeautifulSoup

    from clinic.booking.picker import grid_html

    tuesday, wednesday = datetime.date(2026, 12, 8), datetime.date(2026, 12, 9)
    start, later = at(tuesday, 9, 30), at(tuesday, 10)
    days = picker_days([(tuesday, [start, later]), (wednesday, [])], fixed=frozenset({start}))
    page = BeautifulSoup(str(grid_html(days, chosen=later.isoformat())), "html.parser")
    groups = page.find_all("fieldset")
    assert [g.legend.get_text() for g in groups] == ["Tuesday 8 December", "Wednesday 9 December"]
    radios = groups[0].find_all("input", attrs={"type": "radio", "name": "slot"})
    assert [(r["value"], r["id"], r.get("checked")) for r in radios] == [
        (start.isoformat(), "slot-20261208-0930-1", None),
        (later.isoformat(), "slot-20261208-1000-2", ""),
    ]
    assert radios[0]["data-label"] == "Tuesday 8 December at 09:30"
    labels = [label.get_text() for label in groups[0].find_all("label")]
    assert labels == ["09:30 (can't be changed online)", "10:00"]
    assert groups[1].get_text(strip=True) == "Wednesday 9 DecemberNo times free"
    assert "checked" not in str(grid_html(days))


def test_a_kept_group_is_the_one_made_afresh_whatever_was_shown_before():
    """The per-process caches key on everything the markup is made from: the checked radio, the fixed label."""
    from clinic.booking import picker

    tuesday = datetime.date(2026, 12, 8)
    start, later = at(tuesday, 9, 30), at(tuesday, 10)
    plain = picker.picker_days([(tuesday, [start, later])])
    fixed = picker.picker_days([(tuesday, [start, later])], fixed=frozenset({start}))
    shown = [
        str(picker.grid_html(plain)),
        str(picker.grid_html(plain, chosen=later.isoformat())),
        str(picker.grid_html(fixed)),
        str(picker.grid_html(plain, chosen=at(tuesday, 11).isoformat())),  # chosen elsewhere: nothing checked here
    ]
    picker._day_html.cache_clear()
    picker._slot.cache_clear()
    afresh = [
        str(picker.grid_html(picker.picker_days([(tuesday, [start, later])]))),
        str(picker.grid_html(picker.picker_days([(tuesday, [start, later])]), chosen=later.isoformat())),
        str(picker.grid_html(picker.picker_days([(tuesday, [start, later])], fixed=frozenset({start})))),
        str(picker.grid_html(picker.picker_days([(tuesday, [start, later])]))),
    ]
    assert shown == afresh
    assert len(set(shown)) == 3 and "checked" in shown[1] and "be changed online" in shown[2]
