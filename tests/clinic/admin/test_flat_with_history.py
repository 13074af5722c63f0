"""Flat with history: range queries bounded on an indexed column, indexed patient search, a one-pass agenda."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.admin.agenda import AGENDA_STEP, Cell, build_agenda
from clinic.lib import clock
from clinic.models import Appointment, Patient
from clinic.models.appointments import MAX_BLOCK
from tests.factories import AppointmentFactory

DAY = datetime.date(2026, 12, 8)


def explain(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off"
        )  # on a near-empty table a scan is cheaper: ask what could be used
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_range_query_is_bounded_on_the_start_time_from_both_sides():
    start = clock.at(DAY, datetime.time(9))
    sql = str(Appointment.objects.overlapping(start, start + datetime.timedelta(days=1)).query)
    assert sql.count('"starts_at" <') == 1 and sql.count('"starts_at" >') == 1
    assert '"blocks_until" >' in sql


@pytest.mark.django_db
def test_the_bound_finds_every_appointment_the_unbounded_test_finds():
    """Appointments up to the longest possible block (480 + 120 minutes) overlapping a window: the same rows."""
    window = (clock.at(DAY, datetime.time(12)), clock.at(DAY, datetime.time(13)))
    for hours in (1, 3, 10):
        starts_at = window[0] - datetime.timedelta(hours=hours)
        AppointmentFactory(
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=30),
            blocks_until=starts_at + datetime.timedelta(minutes=hours * 60 + 5),
        )
    AppointmentFactory(starts_at=window[0] - datetime.timedelta(hours=11))  # long over
    unbounded = Appointment.objects.filter(starts_at__lt=window[1], blocks_until__gt=window[0])
    assert set(Appointment.objects.overlapping(*window)) == set(unbounded) and unbounded.count() == 3
    assert datetime.timedelta(minutes=480 + 120) <= MAX_BLOCK


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_slot_search_range_query_can_start_from_the_start_time_index(on_postgres):
    start = clock.at(DAY, datetime.time(9))
    plan = explain(Appointment.objects.active().overlapping(start, start + datetime.timedelta(days=7)))
    assert "Index" in plan and "starts_at" in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "email"])
def test_patient_search_by_name_or_email_uses_a_trigram_index(on_postgres, field):
    plan = explain(Patient.objects.filter(**{f"{field}__icontains": "okafor"}))
    assert f"clinic_patient_{field}_trgm" in plan, plan


# --- The agenda in one pass, against the first (appointments x rows) version -----------------


def reference_agenda_cells(day, practitioners, appointments, step=AGENDA_STEP):
    """The agenda's appointment cells as the first version found them: every appointment tested for every row."""
    now = clock.at(day - datetime.timedelta(days=1), datetime.time(0))  # the day before: no cell is past
    rows = build_agenda(day, practitioners=practitioners, appointments=appointments, closures=[], step=step, now=now)
    found = []
    for column, p in enumerate(practitioners):
        theirs = sorted((a for a in appointments if a.practitioner_id == p.pk), key=lambda a: a.starts_at)
        covered_until = None
        for row in rows:
            row_end = row.time + step
            if covered_until and row.time < covered_until:
                continue
            starting = [
                a for a in theirs if row.time <= a.starts_at < row_end or (a.starts_at < row.time < a.blocks_until)
            ]
            if starting:
                a = starting[0]
                span = max(sum(1 for r in rows if row.time <= r.time < a.blocks_until), 1)
                found.append((column, row.time, a.pk, span))
                covered_until = row.time + step * span
    return rows, found


def fake_practitioner(pk):
    hours = SimpleNamespace(
        all=lambda: [SimpleNamespace(weekday=DAY.weekday(), start=datetime.time(9), end=datetime.time(17))]
    )
    return SimpleNamespace(pk=pk, working_hours=hours)


appointment_times = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 4 * 12), st.integers(1, 16), st.integers(0, 14)),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(appointment_times)
def test_the_one_pass_agenda_draws_what_the_row_by_row_agenda_drew(times):
    """Any appointments (overlapping, off the quarter hours, running past the day's end): the same cells."""
    practitioners = [fake_practitioner(pk) for pk in (1, 2, 3)]
    appointments = []
    for pk, (who, quarter, quarters, minutes_off) in enumerate(times, start=1):
        starts_at = clock.at(DAY, datetime.time(8)) + datetime.timedelta(minutes=15 * quarter + minutes_off)
        appointments.append(
            SimpleNamespace(
                pk=pk,
                practitioner_id=who + 1,
                starts_at=starts_at,
                blocks_until=starts_at + datetime.timedelta(minutes=15 * quarters - minutes_off % 7),
            )
        )
    rows, expected = reference_agenda_cells(DAY, practitioners, appointments)
    drawn = []
    for row in rows:
        for cell in row.cells:
            assert isinstance(cell, Cell)
            if cell.kind == "appointment":
                drawn.append((cell.appointment.pk, row.time, cell.rowspan))
    assert sorted(drawn) == sorted((pk, time, span) for _, time, pk, span in expected)
