"""The waiting list's pure rules: which free time suits whom, quiet hours across DST, how long an offer holds."""

import datetime
from datetime import UTC, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clinic.waitlist import matching
from clinic.waitlist.matching import FreeSlot, Wish

LONDON = ZoneInfo("Europe/London")
QUIET = {"start": time(20), "end": time(8), "tz": LONDON}

# Hypothesis takes naive bounds and attaches the zone itself.
moments = st.datetimes(
    min_value=datetime.datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime.datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
wishes = st.builds(
    Wish,
    consultation_type=st.sampled_from([1, 2]),
    practitioner=st.sampled_from([None, 10, 11]),
    weekdays=st.frozensets(st.integers(0, 6)),
    parts=st.frozensets(st.sampled_from(matching.PARTS)),
    latest_date=st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2031, 1, 1)),
)
slots = st.builds(
    FreeSlot, consultation_type=st.sampled_from([1, 2]), practitioner=st.sampled_from([10, 11]), start=moments
)


@given(wishes, slots)
def test_a_slot_suits_exactly_when_every_condition_holds(wish, slot):
    local = slot.start.astimezone(LONDON)
    expected = (
        slot.consultation_type == wish.consultation_type
        and wish.practitioner in (None, slot.practitioner)
        and local.weekday() in wish.weekdays
        and matching.part_of_day(local.time()) in wish.parts
        and local.date() <= wish.latest_date
    )
    assert matching.suits(wish, slot, LONDON) is expected


@given(wishes, slots)
def test_no_preference_suits_whenever_a_named_practitioner_would(wish, slot):
    named = Wish(**{**wish.__dict__, "practitioner": slot.practitioner})
    anyone = Wish(**{**wish.__dict__, "practitioner": None})
    assert matching.suits(anyone, slot, LONDON) == matching.suits(named, slot, LONDON)


@given(wishes, slots)
def test_every_day_and_every_time_of_day_only_leave_the_type_practitioner_and_date(wish, slot):
    wide = Wish(**{**wish.__dict__, "weekdays": frozenset(range(7)), "parts": frozenset(matching.PARTS)})
    local_date = slot.start.astimezone(LONDON).date()
    expected = (
        slot.consultation_type == wish.consultation_type
        and wish.practitioner in (None, slot.practitioner)
        and local_date <= wish.latest_date
    )
    assert matching.suits(wide, slot, LONDON) is expected


@given(st.times())
def test_every_time_is_in_exactly_one_part_of_the_day(moment):
    part = matching.part_of_day(moment)
    assert part in matching.PARTS
    assert (part == "morning") == (moment < time(12))
    assert (part == "evening") == (moment >= time(17))


def test_a_slot_is_judged_by_the_clinic_s_wall_clock_on_a_dst_day():
    """11:30 BST on the last Sunday of March is 10:30 UTC: still a morning, still a Sunday, in London."""
    slot = FreeSlot(1, 10, datetime.datetime(2026, 3, 29, 10, 30, tzinfo=UTC))
    wish = Wish(1, None, frozenset({6}), frozenset({"morning"}), datetime.date(2026, 3, 29))
    assert matching.suits(wish, slot, LONDON)
    later = FreeSlot(1, 10, datetime.datetime(2026, 3, 29, 11, 0, tzinfo=UTC))  # 12:00 BST
    assert not matching.suits(wish, later, LONDON)


@given(moments)
def test_quiet_hours_follow_the_local_clock(moment):
    local = moment.astimezone(LONDON).time()
    assert matching.in_quiet_hours(moment, **QUIET) is (local >= time(20) or local < time(8))


@pytest.mark.parametrize(
    ("utc", "quiet"),
    [
        # Sunday 29 March 2026, clocks go forward at 01:00 UTC: 07:30 UTC is 08:30 BST, daytime.
        (datetime.datetime(2026, 3, 29, 7, 30, tzinfo=UTC), False),
        # The day before it was 07:30 GMT: still night.
        (datetime.datetime(2026, 3, 28, 7, 30, tzinfo=UTC), True),
        # 19:30 UTC is 20:30 BST after the change: night already.
        (datetime.datetime(2026, 3, 29, 19, 30, tzinfo=UTC), True),
        # Sunday 25 October 2026, clocks go back at 01:00 UTC: 07:30 UTC is 07:30 GMT, still night…
        (datetime.datetime(2026, 10, 25, 7, 30, tzinfo=UTC), True),
        # …though the day before 07:30 UTC was 08:30 BST, daytime.
        (datetime.datetime(2026, 10, 24, 7, 30, tzinfo=UTC), False),
        # 19:30 UTC is 19:30 GMT after the change: still daytime.
        (datetime.datetime(2026, 10, 25, 19, 30, tzinfo=UTC), False),
    ],
)
def test_quiet_hours_across_both_dst_changes(utc, quiet):
    assert matching.in_quiet_hours(utc, **QUIET) is quiet


def test_quiet_hours_that_do_not_wrap_midnight_and_an_empty_window():
    noon = datetime.datetime(2026, 6, 1, 11, 0, tzinfo=UTC)  # 12:00 BST
    assert matching.in_quiet_hours(noon, start=time(12), end=time(13), tz=LONDON)
    assert not matching.in_quiet_hours(noon, start=time(8), end=time(8), tz=LONDON)
    with pytest.raises(ValueError, match="aware"):
        matching.in_quiet_hours(datetime.datetime(2026, 6, 1, 12), **QUIET)  # noqa: DTZ001 (naive on purpose)


@given(moments, st.integers(1, 60 * 24 * 30), st.integers(1, 600), st.integers(0, 48))
def test_an_offer_never_holds_past_the_cutoff_before_the_slot(now, minutes_ahead, hold_minutes, cutoff_hours):
    start = now + timedelta(minutes=minutes_ahead)
    hold, cutoff = timedelta(minutes=hold_minutes), timedelta(hours=cutoff_hours)
    expires = matching.offer_expiry(now=now, slot_start=start, hold=hold, cutoff=cutoff)
    if start - cutoff <= now:
        assert expires is None
    else:
        assert now < expires <= now + hold
        assert expires <= start - cutoff


@given(st.lists(wishes, max_size=8), slots, st.integers(1, 3), st.sets(st.integers(0, 7)))
def test_the_oldest_suited_patients_come_first_and_skipped_ones_never(wish_list, slot, room, skip):
    queue = list(enumerate(wish_list))
    chosen = matching.next_in_line(queue, slot, LONDON, skip=skip, room=room)
    eligible = [i for i, w in queue if i not in skip and matching.suits(w, slot, LONDON)]
    assert chosen == eligible[:room]
