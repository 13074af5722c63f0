"""Free consultation slots for one practitioner, worked out in memory from plain values.

No Django, no database and no clock here: the caller passes `now`, the clinic's zone, the
practitioner's working hours, closures and existing appointments (buffers included).
Slots are built from local wall-clock hours, stepped in real elapsed time and returned in UTC.
"""

import functools
import heapq
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not naive {value!r}")


@dataclass(frozen=True)
class Interval:
    """A half-open span of time [start, end) between aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "Interval.start")
        _require_aware(self.end, "Interval.end")
        # In UTC: datetimes sharing a ZoneInfo compare by wall clock, which is wrong around fall-back.
        if self.end.astimezone(UTC) < self.start.astimezone(UTC):
            raise ValueError(f"Interval ends before it starts: {self.start!r} to {self.end!r}")


@dataclass(frozen=True)
class WorkingHours:
    """Local wall-clock hours on one weekday (0 = Monday); a break is two of these."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday!r}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local wall-clock times and take no zone")
        if self.start >= self.end:
            raise ValueError(f"working hours must end after they start: {self.start} to {self.end}")


@dataclass(frozen=True)
class Rules:
    """How far ahead, how soon and how often consultations may start."""

    min_notice: timedelta
    horizon_days: int
    slot_step: timedelta

    def __post_init__(self) -> None:
        if self.min_notice < timedelta(0):
            raise ValueError("min_notice must not be negative")
        if self.horizon_days < 0:
            raise ValueError("horizon_days must not be negative")
        if self.slot_step <= timedelta(0):
            raise ValueError("slot_step must be positive")


@dataclass(frozen=True)
class Slot:
    """A bookable consultation, in UTC; `end` excludes the practitioner's buffer."""

    start: datetime
    end: datetime


def free_slots(
    *,
    tz: ZoneInfo,
    hours: Iterable[WorkingHours],
    closures: Iterable[Interval],
    busy: Iterable[Interval],
    rules: Rules,
    duration: timedelta,
    buffer: timedelta,
    now: datetime,
    first_day: date,
    last_day: date,
) -> list[Slot]:
    """Free slots for ONE practitioner between two local dates (inclusive), sorted."""
    starts = free_micros(
        tz=tz, hours=hours, closures=closures, busy=busy, rules=rules, duration=duration, buffer=buffer,
        now=now, first_day=first_day, last_day=last_day,
    )  # fmt: skip
    return [Slot(start, start + duration) for start in map(from_micros, sorted(starts))]


def free_micros(
    *,
    tz: ZoneInfo,
    hours: Iterable[WorkingHours],
    closures: Iterable[Interval],
    busy: Iterable[Interval],
    rules: Rules,
    duration: timedelta,
    buffer: timedelta,
    now: datetime,
    first_day: date,
    last_day: date,
    candidates: Iterable[int] | None = None,
) -> set[int]:
    """The start times of ONE practitioner's free slots between two local dates (inclusive), in
    microseconds since the epoch (`from_micros` makes one a UTC datetime).

    What `free_slots` is made from, for a caller that needs the times only. `candidates`, if given,
    are the only starts checked: some of `working_micros` for the same hours and dates (the time
    picker's "no preference" week checks each practitioner only at the times nobody before them
    was free). Integer sums and comparisons cost a fraction of datetime ones, and every instant
    stays exact.
    """
    _check_search(now, duration)  # here too: with `candidates`, working_micros is not run
    if buffer < timedelta(0):
        raise ValueError("buffer must not be negative")
    blocked_starts, blocked_ends = _union([*busy, *closures])
    n_blocked = len(blocked_starts)
    reach = (duration + buffer) // _MICRO
    if candidates is None:
        candidates = working_micros(
            tz=tz, hours=hours, rules=rules, duration=duration, now=now, first_day=first_day, last_day=last_day
        )
    starts: set[int] = set()
    for start in candidates:
        # First blocked span ending after `start`; spans are disjoint and sorted, so only it can
        # overlap the consultation and its buffer.
        i = bisect_right(blocked_ends, start)
        if i == n_blocked or blocked_starts[i] >= start + reach:
            starts.add(start)
    # A set, because on fall-back day two working intervals can share the repeated hour.
    return starts


def working_micros(
    *,
    tz: ZoneInfo,
    hours: Iterable[WorkingHours],
    rules: Rules,
    duration: timedelta,
    now: datetime,
    first_day: date,
    last_day: date,
) -> Iterator[int]:
    """Every start a practitioner with these hours could offer between two local dates (inclusive),
    free or not: each step of their hours that leaves time for the consultation, from the minimum
    notice to the horizon; in microseconds since the epoch, day by day (a start twice on fall-back day).
    """
    _check_search(now, duration)
    earliest = _micros(now) + rules.min_notice // _MICRO
    length, step = duration // _MICRO, rules.slot_step // _MICRO
    today = now.astimezone(tz).date()
    hours_by_weekday: dict[int, list[WorkingHours]] = {}
    for working in hours:
        hours_by_weekday.setdefault(working.weekday, []).append(working)
    by_weekday = {weekday: tuple(todays) for weekday, todays in hours_by_weekday.items()}
    # A working interval lies inside its own local day, so days before today or past the
    # horizon can be skipped whole.
    day = max(first_day, today)
    last = min(last_day, today + timedelta(days=rules.horizon_days))
    while day <= last:
        todays = by_weekday.get(day.weekday())
        if todays:
            for start in _day_grid(day, todays, tz, step, length):
                if start >= earliest:
                    yield start
        day += timedelta(days=1)


def _check_search(now: datetime, duration: timedelta) -> None:
    _require_aware(now, "now")
    if duration <= timedelta(0):
        raise ValueError("duration must be positive")


@functools.lru_cache(maxsize=4096)
def _day_grid(day: date, hours: tuple[WorkingHours, ...], tz: ZoneInfo, step: int, length: int) -> tuple[int, ...]:
    """Every start a step apart from each opening that leaves time for the consultation before closing.

    Kept: practitioners mostly share their hours, and the same days are searched again and again.
    Opening uses the first pass through a repeated hour, closing the second, so the fall-back
    hour is worked twice.
    """
    grid = []
    for working in hours:
        start = _local_micros(day, working.start, tz, 0)
        closing = _local_micros(day, working.end, tz, 1)
        while start + length <= closing:
            grid.append(start)
            start += step
    return tuple(grid)


def nearest(slots: Sequence[Slot], wanted: datetime, n: int = 3) -> list[Slot]:
    """The n slots closest in time to `wanted` (ties: earlier first), sorted by start."""
    _require_aware(wanted, "wanted")
    wanted = wanted.astimezone(UTC)

    def distance(slot: Slot) -> tuple[timedelta, datetime]:
        start = slot.start.astimezone(UTC)
        return abs(start - wanted), start

    return sorted(heapq.nsmallest(n, slots, key=distance), key=attrgetter("start"))


def local_day_bounds(day: date, tz: ZoneInfo) -> Interval:
    """The aware UTC interval covering a whole local calendar day (23 or 25 hours on DST days)."""
    return Interval(_to_utc(day, time(0), tz, fold=0), _to_utc(day + timedelta(days=1), time(0), tz, fold=0))


def _union(intervals: list[Interval]) -> tuple[list[int], list[int]]:
    """Starts and ends (microseconds since the epoch) of the disjoint, sorted spans covering all the intervals."""
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted((_micros(i.start), _micros(i.end)) for i in intervals):
        if start == end:
            continue
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    """An aware instant as whole microseconds since the epoch (exact, unlike a float timestamp)."""
    return (moment - _EPOCH) // _MICRO


def from_micros(micros: int) -> datetime:
    """Microseconds since the epoch (as `free_micros` gives them) as an aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=micros)


@functools.lru_cache(maxsize=4096)
def _local_micros(day: date, wall: time, tz: ZoneInfo, fold: int) -> int:
    """`_to_utc` in microseconds since the epoch, kept: every practitioner with the same hours shares them."""
    return _micros(_to_utc(day, wall, tz, fold=fold))


def _to_utc(day: date, wall: time, tz: ZoneInfo, *, fold: int) -> datetime:
    """A local wall-clock time as a UTC instant; a time the clocks skip becomes the end of the gap."""
    local = datetime.combine(day, wall, tzinfo=tz).replace(fold=fold)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    # In a gap, fold=1 reads the time with the offset after the change (an instant before it)
    # and fold=0 with the offset before (an instant after it). zoneinfo does not publish its
    # transitions, so narrow down on the change to the second; tz data changes on whole seconds.
    before = int(local.replace(fold=1).timestamp()) - 1
    after = int(local.replace(fold=0).timestamp()) + 1
    new_offset = datetime.fromtimestamp(after, tz).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == new_offset:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)
