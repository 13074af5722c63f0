"""Free consultation slots: pure functions, exact times, both DST change days in Europe/London."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.booking.availability import (
    Interval,
    Rules,
    Slot,
    WorkingHours,
    free_micros,
    free_slots,
    local_day_bounds,
    nearest,
)

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2025, 1, 13)  # winter: London is on UTC, so local and UTC times read the same
SPRING_FORWARD = date(2025, 3, 30)  # a Sunday; 01:00 GMT jumps to 02:00 BST
FALL_BACK = date(2025, 10, 26)  # a Sunday; 02:00 BST falls back to 01:00 GMT
SUNDAY = 6
MIN = timedelta(minutes=1)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def at(day, hour, minute=0):
    """An instant on a winter day, when London wall-clock time equals UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def hours(weekday, *spans):
    return [WorkingHours(weekday, time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans]


def slots(search=free_slots, **overrides):
    """Monday 09:00–12:00, 30-minute consultations every 30 minutes, no buffer, booked the day before."""
    arguments = {
        "tz": LONDON,
        "hours": hours(MONDAY.weekday(), ("09:00", "12:00")),
        "closures": [],
        "busy": [],
        "rules": Rules(min_notice=timedelta(0), horizon_days=60, slot_step=30 * MIN),
        "duration": 30 * MIN,
        "buffer": timedelta(0),
        "now": at(MONDAY - timedelta(days=1), 12),
        "first_day": MONDAY,
        "last_day": MONDAY,
    }
    arguments.update(overrides)
    return search(**arguments)


def times(found):
    return [f"{slot.start:%H:%M}" for slot in found]


def days_and_times(found):
    return [f"{slot.start:%Y-%m-%d %H:%M}" for slot in found]


def test_slots_are_utc_and_end_when_the_consultation_ends():
    found = slots(hours=hours(0, ("09:00", "10:00")), duration=20 * MIN, buffer=10 * MIN)
    assert found == [
        Slot(utc(2025, 1, 13, 9, 0), utc(2025, 1, 13, 9, 20)),
        Slot(utc(2025, 1, 13, 9, 30), utc(2025, 1, 13, 9, 50)),
    ]


def test_a_lunch_break_splits_the_day():
    found = slots(hours=hours(0, ("13:00", "14:00"), ("09:00", "11:00")))
    assert times(found) == ["09:00", "09:30", "10:00", "10:30", "13:00", "13:30"]


def test_the_buffer_keeps_a_slot_clear_of_the_next_appointment():
    """09:30 + 30 minutes + 10 minutes of notes would run into the 10:00 appointment."""
    found = slots(buffer=10 * MIN, busy=[Interval(at(MONDAY, 10), at(MONDAY, 10, 30))])
    assert times(found) == ["09:00", "10:30", "11:00", "11:30"]


def test_the_buffer_may_run_past_closing_time():
    found = slots(hours=hours(0, ("09:00", "10:00")), buffer=10 * MIN)
    assert times(found) == ["09:00", "09:30"]


def test_a_slot_may_touch_appointments_on_both_sides():
    found = slots(
        hours=hours(0, ("09:00", "11:00")),
        rules=Rules(min_notice=timedelta(0), horizon_days=60, slot_step=10 * MIN),
        duration=20 * MIN,
        buffer=10 * MIN,
        busy=[Interval(at(MONDAY, 9), at(MONDAY, 9, 30)), Interval(at(MONDAY, 10), at(MONDAY, 10, 30))],
    )
    assert times(found) == ["09:30", "10:30", "10:40"]


def test_overlapping_appointments_remove_every_slot_they_touch():
    found = slots(
        hours=hours(0, ("09:00", "11:30")),
        rules=Rules(min_notice=timedelta(0), horizon_days=60, slot_step=15 * MIN),
        busy=[Interval(at(MONDAY, 10), at(MONDAY, 10, 45)), Interval(at(MONDAY, 9, 45), at(MONDAY, 10, 15))],
    )
    assert times(found) == ["09:00", "09:15", "10:45", "11:00"]


def test_appointments_given_in_local_time_count_by_their_real_instant():
    """01:50 BST to 01:10 GMT on fall-back night is 20 real minutes, though the wall clock runs backwards."""
    found = slots(
        hours=hours(SUNDAY, ("00:00", "04:00")),
        rules=Rules(min_notice=timedelta(0), horizon_days=60, slot_step=60 * MIN),
        duration=60 * MIN,
        busy=[
            Interval(datetime(2025, 10, 26, 1, 50, tzinfo=LONDON), datetime(2025, 10, 26, 1, 10, tzinfo=LONDON, fold=1))
        ],
        now=utc(2025, 10, 25, 12),
        first_day=FALL_BACK,
        last_day=FALL_BACK,
    )
    assert [slot.start for slot in found] == [utc(2025, 10, 25, 23), utc(2025, 10, 26, 2), utc(2025, 10, 26, 3)]


def test_a_whole_day_closure_removes_only_that_day():
    found = slots(
        hours=hours(0, ("09:00", "10:00")) + hours(1, ("09:00", "10:00")),
        closures=[local_day_bounds(MONDAY, LONDON)],
        last_day=MONDAY + timedelta(days=1),
    )
    assert days_and_times(found) == ["2025-01-14 09:00", "2025-01-14 09:30"]


def test_a_closure_for_part_of_the_day_also_keeps_the_buffer_clear():
    found = slots(buffer=15 * MIN, closures=[Interval(at(MONDAY, 10), at(MONDAY, 11))])
    assert times(found) == ["09:00", "11:00", "11:30"]


def test_local_day_bounds_cover_23_or_25_hours_on_change_days():
    assert local_day_bounds(SPRING_FORWARD, LONDON) == Interval(utc(2025, 3, 30, 0), utc(2025, 3, 30, 23))
    assert local_day_bounds(FALL_BACK, LONDON) == Interval(utc(2025, 10, 25, 23), utc(2025, 10, 27, 0))
    assert local_day_bounds(date(2025, 7, 1), LONDON) == Interval(utc(2025, 6, 30, 23), utc(2025, 7, 1, 23))


def test_it_needs_the_minimum_notice():
    found = slots(now=at(MONDAY, 9), rules=Rules(min_notice=60 * MIN, horizon_days=60, slot_step=30 * MIN))
    assert times(found) == ["10:00", "10:30", "11:00", "11:30"]


def test_it_offers_nothing_in_the_past():
    found = slots(now=at(MONDAY, 10, 10), first_day=MONDAY - timedelta(days=7))
    assert days_and_times(found) == ["2025-01-13 10:30", "2025-01-13 11:00", "2025-01-13 11:30"]


def test_it_offers_nothing_past_the_horizon():
    found = slots(
        hours=[WorkingHours(weekday, time(9), time(9, 30)) for weekday in range(7)],
        rules=Rules(min_notice=timedelta(0), horizon_days=2, slot_step=30 * MIN),
        now=at(MONDAY, 8),
        last_day=MONDAY + timedelta(days=6),
    )
    assert days_and_times(found) == ["2025-01-13 09:00", "2025-01-14 09:00", "2025-01-15 09:00"]


def test_the_horizon_counts_from_todays_local_date():
    """Sunday 23:30 UTC is already Monday 00:30 in London in summer."""
    found = slots(
        hours=[WorkingHours(weekday, time(9), time(9, 30)) for weekday in range(7)],
        rules=Rules(min_notice=timedelta(0), horizon_days=1, slot_step=30 * MIN),
        now=utc(2025, 6, 29, 23, 30),
        first_day=date(2025, 6, 29),
        last_day=date(2025, 7, 6),
    )
    assert days_and_times(found) == ["2025-06-30 08:00", "2025-07-01 08:00"]


def test_a_consultation_longer_than_the_time_left_is_not_offered():
    found = slots(hours=hours(0, ("09:00", "10:30"), ("11:00", "11:45")), duration=60 * MIN)
    assert times(found) == ["09:00", "09:30"]


def sunday_slots(day, *spans):
    return slots(
        hours=hours(SUNDAY, *spans),
        rules=Rules(min_notice=timedelta(0), horizon_days=60, slot_step=60 * MIN),
        duration=60 * MIN,
        now=at(day - timedelta(days=1), 12),
        first_day=day,
        last_day=day,
    )


def test_midnight_to_four_is_three_real_hours_when_the_clocks_go_forward():
    assert sunday_slots(SPRING_FORWARD, ("00:00", "04:00")) == [
        Slot(utc(2025, 3, 30, 0), utc(2025, 3, 30, 1)),  # 00:00 GMT
        Slot(utc(2025, 3, 30, 1), utc(2025, 3, 30, 2)),  # 02:00 BST
        Slot(utc(2025, 3, 30, 2), utc(2025, 3, 30, 3)),  # 03:00 BST
    ]


def test_hours_that_open_or_close_in_the_missing_hour_use_the_first_instant_after_it():
    """01:30 does not exist on spring-forward day; the next real instant is 02:00 BST, 01:00 UTC."""
    opening_in_gap = sunday_slots(SPRING_FORWARD, ("01:30", "04:00"))
    assert [slot.start for slot in opening_in_gap] == [utc(2025, 3, 30, 1), utc(2025, 3, 30, 2)]
    closing_in_gap = slots(
        hours=hours(SUNDAY, ("00:00", "01:30")),
        now=utc(2025, 3, 29, 12),
        first_day=SPRING_FORWARD,
        last_day=SPRING_FORWARD,
    )
    assert [slot.start for slot in closing_in_gap] == [utc(2025, 3, 30, 0), utc(2025, 3, 30, 0, 30)]


def test_the_repeated_hour_is_served_twice_when_the_clocks_go_back():
    found = sunday_slots(FALL_BACK, ("00:00", "04:00"))
    assert [slot.start for slot in found] == [
        utc(2025, 10, 25, 23),  # 00:00 BST
        utc(2025, 10, 26, 0),  # 01:00 BST
        utc(2025, 10, 26, 1),  # 01:00 GMT
        utc(2025, 10, 26, 2),
        utc(2025, 10, 26, 3),
    ]
    assert [f"{slot.start.astimezone(LONDON):%H:%M %Z}" for slot in found] == [
        "00:00 BST",
        "01:00 BST",
        "01:00 GMT",
        "02:00 GMT",
        "03:00 GMT",
    ]


def test_hours_that_open_or_close_in_the_repeated_hour_use_its_first_and_second_pass():
    """Opening at 01:30 means 01:30 BST (00:30 UTC); closing at 01:30 means 01:30 GMT (01:30 UTC)."""
    opening_in_repeat = sunday_slots(FALL_BACK, ("01:30", "04:00"))
    assert [slot.start for slot in opening_in_repeat] == [
        utc(2025, 10, 26, 0, 30),
        utc(2025, 10, 26, 1, 30),
        utc(2025, 10, 26, 2, 30),
    ]
    closing_in_repeat = sunday_slots(FALL_BACK, ("00:00", "01:30"))
    assert [slot.start for slot in closing_in_repeat] == [utc(2025, 10, 25, 23), utc(2025, 10, 26, 0)]


@pytest.mark.parametrize(
    ("first_day", "expected"),
    [
        (date(2025, 3, 29), ["2025-03-29 09:00", "2025-03-30 08:00", "2025-03-31 08:00"]),
        (date(2025, 10, 25), ["2025-10-25 08:00", "2025-10-26 09:00", "2025-10-27 09:00"]),
    ],
)
def test_nine_oclock_stays_nine_local_across_the_change_days(first_day, expected):
    """09:00 London is 09:00 UTC in winter and 08:00 UTC in summer, on the change day too."""
    found = slots(
        hours=[WorkingHours(weekday, time(9), time(9, 30)) for weekday in range(7)],
        rules=Rules(min_notice=timedelta(0), horizon_days=365, slot_step=30 * MIN),
        now=utc(2025, 1, 1),
        first_day=first_day,
        last_day=first_day + timedelta(days=2),
    )
    assert days_and_times(found) == expected
    assert {f"{slot.start.astimezone(LONDON):%H:%M}" for slot in found} == {"09:00"}


def monday_slots(*start_hours):
    return [Slot(at(MONDAY, hour), at(MONDAY, hour, 30)) for hour in start_hours]


def test_nearest_gives_the_closest_slots_sorted_by_start():
    offered = monday_slots(13, 9, 11, 10)
    assert times(nearest(offered, at(MONDAY, 10, 20), n=2)) == ["10:00", "11:00"]
    assert times(nearest(offered, at(MONDAY, 10, 20))) == ["09:00", "10:00", "11:00"]
    assert times(nearest(offered, at(MONDAY, 10, 20), n=10)) == ["09:00", "10:00", "11:00", "13:00"]


def test_nearest_prefers_the_earlier_slot_on_a_tie():
    offered = monday_slots(11, 10)
    assert times(nearest(offered, at(MONDAY, 10, 30), n=1)) == ["10:00"]


def test_nearest_compares_real_instants_whatever_the_zone():
    summer = [Slot(utc(2025, 6, 30, hour), utc(2025, 6, 30, hour, 30)) for hour in (9, 10, 11)]
    eleven_bst = datetime(2025, 6, 30, 11, tzinfo=LONDON)
    assert nearest(summer, eleven_bst, n=1) == [summer[1]]


def test_naive_datetimes_are_rejected():
    naive = datetime(2025, 1, 13, 9)  # noqa: DTZ001 (naive on purpose: it must be refused)
    with pytest.raises(ValueError, match="naive"):
        slots(now=naive)
    with pytest.raises(ValueError, match="naive"):
        Interval(naive, at(MONDAY, 10))
    with pytest.raises(ValueError, match="naive"):
        nearest([], naive)


def test_only_given_starts_to_check_are_still_checked_for_a_naive_clock_or_no_duration():
    """`free_micros(candidates=…)` skips working out the grid, not the checks of what it was given."""
    with pytest.raises(ValueError, match="naive"):
        slots(free_micros, candidates=[0], now=datetime(2025, 1, 13, 9))  # noqa: DTZ001 (naive on purpose)
    with pytest.raises(ValueError, match="duration"):
        slots(free_micros, candidates=[0], duration=timedelta(0))


def test_a_consultation_and_a_step_must_take_some_time():
    with pytest.raises(ValueError, match="duration"):
        slots(duration=timedelta(0))
    with pytest.raises(ValueError, match="slot_step"):
        Rules(min_notice=timedelta(0), horizon_days=60, slot_step=timedelta(0))


QUARTER_HOURS = st.integers(0, 95)
MINUTES_IN_THREE_DAYS = st.integers(0, 3 * 24 * 60 // 5).map(lambda fives: fives * 5 * MIN)


def spans(days_start):
    return st.lists(
        st.builds(
            lambda offset, length: Interval(days_start + offset, days_start + offset + length),
            MINUTES_IN_THREE_DAYS,
            st.integers(1, 48).map(lambda fives: fives * 5 * MIN),
        ),
        max_size=12,
    )


@st.composite
def diaries(draw):
    first_day = draw(st.sampled_from([MONDAY, SPRING_FORWARD - timedelta(days=1), FALL_BACK - timedelta(days=1)]))
    days_start = local_day_bounds(first_day, LONDON).start
    working = [
        WorkingHours(weekday, time(*divmod(min(a, b) * 15, 60)), time(*divmod(max(a, b) * 15, 60)))
        for weekday, a, b in draw(st.lists(st.tuples(st.integers(0, 6), QUARTER_HOURS, QUARTER_HOURS), max_size=6))
        if a != b
    ]
    return {
        "tz": LONDON,
        "hours": working,
        "closures": draw(spans(days_start)),
        "busy": draw(spans(days_start)),
        "rules": Rules(
            min_notice=draw(st.sampled_from([0, 60])) * MIN,
            horizon_days=60,
            slot_step=draw(st.sampled_from([5, 15, 30, 60])) * MIN,
        ),
        "duration": draw(st.sampled_from([15, 30, 45, 60, 90])) * MIN,
        "buffer": draw(st.sampled_from([0, 5, 10, 15])) * MIN,
        "now": days_start + draw(st.integers(-24, 24)) * 60 * MIN,
        "first_day": first_day,
        "last_day": first_day + timedelta(days=2),
    }


def readings(day, wall):
    """Both UTC readings of a local wall-clock time: they differ in the repeated hour and in the gap."""
    return [datetime.combine(day, wall, tzinfo=LONDON).replace(fold=fold).astimezone(UTC) for fold in (0, 1)]


@settings(max_examples=150, deadline=None, database=None)
@given(diaries())
def test_no_slot_collides_with_anything_and_all_sit_inside_working_hours(diary):
    found = free_slots(**diary)
    blocked = [*diary["busy"], *diary["closures"]]
    assert [slot.start for slot in found] == sorted({slot.start for slot in found})
    for slot in found:
        assert slot.start.tzinfo is UTC
        assert slot.end - slot.start == diary["duration"]
        assert slot.start >= diary["now"] + diary["rules"].min_notice
        taken_until = slot.end + diary["buffer"]
        assert not any(slot.start < other.end and other.start < taken_until for other in blocked)
        day = slot.start.astimezone(LONDON).date()
        assert any(
            working.weekday == day.weekday()
            and min(readings(day, working.start)) <= slot.start
            and slot.end <= max(readings(day, working.end))
            for working in diary["hours"]
        )


def every_free_start(diary):
    """The free starts counted one by one in datetimes: each step from opening, as a receptionist would."""
    rules, tz = diary["rules"], diary["tz"]
    blocked = [*diary["busy"], *diary["closures"]]
    today = diary["now"].astimezone(tz).date()
    found = set()
    day = max(diary["first_day"], today)
    while day <= min(diary["last_day"], today + timedelta(days=rules.horizon_days)):
        for working in (w for w in diary["hours"] if w.weekday == day.weekday()):
            start, closing = readings(day, working.start)[0], readings(day, working.end)[1]
            while start + diary["duration"] <= closing:
                taken_until = start + diary["duration"] + diary["buffer"]
                if start >= diary["now"] + rules.min_notice and not any(
                    start < other.end and other.start < taken_until and other.start != other.end for other in blocked
                ):
                    found.add(start)
                start += rules.slot_step
        day += timedelta(days=1)
    return found


@settings(max_examples=150, deadline=None, database=None)
@given(diaries())
def test_every_free_step_of_the_working_hours_is_offered(diary):
    """Complete as well as safe: the same starts as stepping through each working interval one by one."""
    assert {slot.start for slot in free_slots(**diary)} == every_free_start(diary)
