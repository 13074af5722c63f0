"""Loading availability: a fixed number of queries, closures and bookings respected."""

import datetime

import pytest

from clinic.booking import schedule
from clinic.models import Appointment, Closure, Practitioner, WorkingHours
from tests.clinic_fixtures import TUESDAY, at

pytestmark = pytest.mark.django_db


def starts(slots, practitioner=None):
    return [s.start for s in slots if practitioner is None or s.practitioner == practitioner]


def test_it_offers_every_step_inside_working_hours(consultation, dr_shah, now):
    slots = schedule.free_slots(
        consultation_type=consultation, practitioner=dr_shah, first_day=TUESDAY, last_day=TUESDAY, now=now
    )
    assert starts(slots)[0] == at(TUESDAY, 9)
    assert at(TUESDAY, 12) in starts(slots)  # 12:00–12:30, buffer runs into lunch
    assert at(TUESDAY, 12, 15) not in starts(slots)
    assert at(TUESDAY, 13, 30) in starts(slots)
    assert starts(slots)[-1] == at(TUESDAY, 16, 30)


def test_one_query_reads_hours_closures_and_bookings_for_any_range_and_number_of_practitioners(
    book, consultation, dr_shah, sam, now, django_assert_num_queries
):
    for i in range(8):
        extra = Practitioner.objects.create(name=f"Extra {i}")
        extra.consultation_types.add(consultation)
        WorkingHours.objects.create(practitioner=extra, weekday=1, start=datetime.time(9), end=datetime.time(17))
    Closure.objects.create(first_day=TUESDAY + datetime.timedelta(days=7), reason="Training")
    Closure.objects.create(
        practitioner=dr_shah,
        first_day=TUESDAY,
        start_time=datetime.time(15),
        end_time=datetime.time(17),
        reason="Audit",
    )
    book(at(TUESDAY, 10), sam)
    # One UNION ALL: practitioners with their hours, closures, busy appointments.
    with django_assert_num_queries(1):
        slots = schedule.free_slots(
            consultation_type=consultation,
            first_day=TUESDAY,
            last_day=TUESDAY + datetime.timedelta(days=59),
            now=now,
        )
    assert len({s.practitioner for s in slots}) == 10
    assert {s.practitioner.name for s in slots} >= {"Dr Amira Shah", "Sam Okafor", "Extra 7"}
    tuesday = [s for s in slots if s.start.date() == TUESDAY]
    assert at(TUESDAY, 10) not in starts(tuesday, sam) and at(TUESDAY, 10) in starts(tuesday, dr_shah)
    assert at(TUESDAY, 14) in starts(tuesday, dr_shah) and at(TUESDAY, 15) not in starts(tuesday, dr_shah)
    assert at(TUESDAY, 15) in starts(tuesday, sam)
    assert not [s for s in slots if s.start.date() == TUESDAY + datetime.timedelta(days=7)]
    assert slots == sorted(slots, key=lambda s: (s.start, s.practitioner.name))


def test_a_clinic_closure_empties_the_day_for_everyone(consultation, now):
    Closure.objects.create(first_day=TUESDAY, reason="Bank holiday")
    slots = schedule.free_slots(consultation_type=consultation, first_day=TUESDAY, last_day=TUESDAY, now=now)
    assert slots == []


def test_a_practitioners_time_closure_blocks_only_their_hours(consultation, dr_shah, sam, now):
    Closure.objects.create(
        practitioner=dr_shah,
        first_day=TUESDAY,
        start_time=datetime.time(9),
        end_time=datetime.time(11),
        reason="Training",
    )
    slots = schedule.free_slots(consultation_type=consultation, first_day=TUESDAY, last_day=TUESDAY, now=now)
    assert at(TUESDAY, 9) not in starts(slots, dr_shah)
    assert at(TUESDAY, 11) in starts(slots, dr_shah)
    assert at(TUESDAY, 9) in starts(slots, sam)


def test_a_multi_day_closure_covers_each_day(consultation, now):
    Closure.objects.create(first_day=TUESDAY, last_day=TUESDAY + datetime.timedelta(days=2), reason="Leave")
    slots = schedule.free_slots(
        consultation_type=consultation, first_day=TUESDAY, last_day=TUESDAY + datetime.timedelta(days=3), now=now
    )
    assert {s.start.astimezone(at(TUESDAY, 9).tzinfo).date() for s in slots} == {TUESDAY + datetime.timedelta(days=3)}


def test_a_booking_blocks_its_time_and_buffer_until_it_is_cancelled(book, consultation, dr_shah, now):
    appointment = book(at(TUESDAY, 10), dr_shah)
    free = starts(schedule.free_slots(consultation_type=consultation, first_day=TUESDAY, last_day=TUESDAY, now=now))
    for blocked in (at(TUESDAY, 9, 30), at(TUESDAY, 10), at(TUESDAY, 10, 15), at(TUESDAY, 10, 30)):
        assert blocked not in starts(
            schedule.free_slots(
                consultation_type=consultation, practitioner=dr_shah, first_day=TUESDAY, last_day=TUESDAY, now=now
            )
        )
    assert at(TUESDAY, 10, 45) in free
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED_BY_PATIENT)
    assert at(TUESDAY, 10) in starts(
        schedule.free_slots(
            consultation_type=consultation, practitioner=dr_shah, first_day=TUESDAY, last_day=TUESDAY, now=now
        )
    )


def test_nearest_slots_offers_one_choice_per_time(consultation, now):
    slots = schedule.free_slots(consultation_type=consultation, first_day=TUESDAY, last_day=TUESDAY, now=now)
    nearest = schedule.nearest_slots(slots, at(TUESDAY, 10, 5))
    assert [s.start for s in nearest] == [at(TUESDAY, 9, 45), at(TUESDAY, 10), at(TUESDAY, 10, 15)]


@pytest.mark.parametrize(
    "times",
    [
        {"start_time": datetime.time(10)},
        {"end_time": datetime.time(10)},
        {"start_time": datetime.time(11), "end_time": datetime.time(10)},
        {"last_day": TUESDAY - datetime.timedelta(days=1)},
    ],
)
def test_the_database_refuses_a_closure_slot_search_could_not_read(clinic_schedule, times):
    """Half a time range, or a range that ends first, would break every slot search: no path may save one."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Closure.objects.create(first_day=TUESDAY, reason="Training", **times)
