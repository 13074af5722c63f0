"""Which free time suits which waiting patient, and when offers may go out: pure functions, no Django.

Every rule reads the slot in the clinic's local time (its weekday, its part of the day, its date),
so a slot on a DST change day is judged by the clock on the clinic's wall.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Where each part of the day begins and ends, by the local start time of a consultation.
NOON = time(12)
FIVE_PM = time(17)
PARTS = ("morning", "afternoon", "evening")


@dataclass(frozen=True)
class Wish:
    """What one waiting patient asked for."""

    consultation_type: int
    practitioner: int | None  # None: whoever is free
    weekdays: frozenset[int]  # 0 = Monday
    parts: frozenset[str]  # subset of PARTS
    latest_date: date


@dataclass(frozen=True)
class FreeSlot:
    consultation_type: int
    practitioner: int
    start: datetime  # aware


def part_of_day(moment: time) -> str:
    """ "morning", "afternoon" or "evening" for a local start time."""
    if moment < NOON:
        return "morning"
    if moment < FIVE_PM:
        return "afternoon"
    return "evening"


def suits(wish: Wish, slot: FreeSlot, tz: ZoneInfo) -> bool:
    """Does this free slot meet every condition the patient gave?"""
    local = slot.start.astimezone(tz)
    return (
        slot.consultation_type == wish.consultation_type
        and (wish.practitioner is None or wish.practitioner == slot.practitioner)
        and local.weekday() in wish.weekdays
        and part_of_day(local.time()) in wish.parts
        and local.date() <= wish.latest_date
    )


def in_quiet_hours(moment: datetime, *, start: time, end: time, tz: ZoneInfo) -> bool:
    """Is `moment` inside the nightly quiet hours [start, end) on the clinic's wall clock?

    The window may wrap midnight (20:00 to 08:00). Read in local time, so it moves with DST.
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be aware")
    wall = moment.astimezone(tz).time()
    if start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end


def offer_expiry(*, now: datetime, slot_start: datetime, hold: timedelta, cutoff: timedelta) -> datetime | None:
    """When an offer made now stops holding: after `hold`, never later than `cutoff` before the slot.

    None when there is no time left to offer it at all.
    """
    expires = min(now + hold, slot_start - cutoff)
    return expires if expires.astimezone(UTC) > now.astimezone(UTC) else None


def next_in_line(
    wishes: Iterable[tuple[int, Wish]], slot: FreeSlot, tz: ZoneInfo, *, skip: set[int], room: int
) -> list[int]:
    """The ids of up to `room` waiting patients (given oldest first) this slot suits, leaving out `skip`."""
    chosen: list[int] = []
    for entry_id, wish in wishes:
        if len(chosen) >= room:
            break
        if entry_id not in skip and suits(wish, slot, tz):
            chosen.append(entry_id)
    return chosen
