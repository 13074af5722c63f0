"""Reading availability from the database: a fixed number of queries, then pure computation."""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import TypedDict, cast
from zoneinfo import ZoneInfo

from django.conf import settings

from ..lib import clock
from ..lib.clock import clinic_tz
from ..models import Appointment, Closure, ConsultationType, Practitioner
from . import availability, diary, timing
from .picker import PickerDay, picker_days


def booking_rules() -> availability.Rules:
    return availability.Rules(
        min_notice=datetime.timedelta(hours=settings.CLINIC_BOOKING_MIN_NOTICE_HOURS),
        horizon_days=settings.CLINIC_BOOKING_HORIZON_DAYS,
        slot_step=datetime.timedelta(minutes=settings.CLINIC_BOOKING_SLOT_STEP_MINUTES),
    )


def desk_rules() -> availability.Rules:
    """The rules for staff allowed to override them: no minimum notice, the whole diary ahead (never the past)."""
    return availability.Rules(
        min_notice=datetime.timedelta(0),
        horizon_days=clock.DIARY_REACH.days,
        slot_step=datetime.timedelta(minutes=settings.CLINIC_BOOKING_SLOT_STEP_MINUTES),
    )


def within_online_rules(starts_at: datetime.datetime, *, now: datetime.datetime) -> bool:
    """Could a patient book this start online: after the minimum notice and within the horizon?"""
    rules = booking_rules()
    return starts_at >= now + rules.min_notice and clock.today(starts_at) <= clock.today(now) + datetime.timedelta(
        days=rules.horizon_days
    )


@dataclass(frozen=True)
class PractitionerSlot:
    practitioner: Practitioner
    start: datetime.datetime
    end: datetime.datetime


class WeekOfFreeTimes(TypedDict):
    """One week of the time picker: each day from today on with its free start times (clinic time)."""

    days: list[tuple[datetime.date, list[datetime.datetime]]]
    picker_days: list[PickerDay]  # the same days, every radio's strings made once (booking/_slot_picker.html)
    previous_week: datetime.date | None
    next_week: datetime.date | None
    any_slots: bool
    # The start times inside the online change cut-off: bookable, but labelled "can't be changed online".
    cannot_change_online: frozenset[datetime.datetime]


def _closure_intervals(closure: Closure, tz: ZoneInfo) -> Iterator[availability.Interval]:
    """A closure as aware intervals: whole days, or the same time range on each day."""
    day = closure.first_day
    while day <= closure.end_day:
        if closure.start_time is None:
            yield availability.local_day_bounds(day, tz)
        else:
            yield availability.Interval(
                clock.at(day, closure.start_time),
                # Closure.clean (the admin's form) allows both times or neither; no database constraint does.
                clock.at(day, cast(datetime.time, closure.end_time)),
            )
        day += datetime.timedelta(days=1)


def free_slots(
    *,
    consultation_type: ConsultationType,
    first_day: datetime.date,
    last_day: datetime.date,
    now: datetime.datetime,
    practitioner: Practitioner | None = None,
    ignore_appointment: Appointment | None = None,
    rules: availability.Rules | None = None,
) -> list[PractitionerSlot]:
    """Free slots of every practitioner offering this consultation type (or just one), sorted.

    One query whatever the number of practitioners or days (`diary.read`: practitioners with their
    hours, closures, busy appointments). `ignore_appointment` is left out of the busy times, so an
    appointment being moved does not block its own neighbourhood.
    """
    slots: list[PractitionerSlot] = []
    duration = consultation_type.duration
    # In name order (then id), so a stable sort by start alone gives (start, name) order: each
    # practitioner's slots are already sorted, and the sort merges those runs.
    for p, starts in _free_starts_by_practitioner(
        consultation_type, first_day, last_day, now, practitioner, ignore_appointment, rules
    ):
        slots += [
            PractitionerSlot(p, start, start + duration) for start in map(availability.from_micros, sorted(starts))
        ]
    slots.sort(key=attrgetter("start"))
    return slots


def free_starts(
    *,
    consultation_type: ConsultationType,
    first_day: datetime.date,
    last_day: datetime.date,
    now: datetime.datetime,
    practitioner: Practitioner | None = None,
    ignore_appointment: Appointment | None = None,
) -> list[datetime.datetime]:
    """The start times (UTC, sorted) at which someone offering this type (or `practitioner`) is free.

    The same search as `free_slots`, for the time picker, which shows each time once whoever is
    free: no slot object is made for each practitioner's each free time (some 4,600 in a week of
    50 practitioners).
    """
    starts: set[int] = set()
    for _, free in _free_starts_by_practitioner(
        consultation_type, first_day, last_day, now, practitioner, ignore_appointment, None, known=starts
    ):
        starts |= free  # the next practitioner is searched only at the times still missing
    return [availability.from_micros(start) for start in sorted(starts)]


def _free_starts_by_practitioner(
    consultation_type: ConsultationType,
    first_day: datetime.date,
    last_day: datetime.date,
    now: datetime.datetime,
    practitioner: Practitioner | None,
    ignore_appointment: Appointment | None,
    rules: availability.Rules | None,
    known: set[int] | None = None,
) -> Iterator[tuple[Practitioner, set[int]]]:
    """Each practitioner searched (in (name, id) order) with their free slots' starts (`availability.free_micros`).

    With `known` (the starts the caller has found free so far, grown as it goes), a practitioner is
    searched only at the times still missing: "no preference" needs one free practitioner a time.
    """
    tz = clinic_tz()
    rules = rules or booking_rules()
    window = availability.Interval(
        availability.local_day_bounds(first_day, tz).start, availability.local_day_bounds(last_day, tz).end
    )
    read = diary.read(
        consultation_type=consultation_type,
        practitioner=practitioner,
        window=window,
        first_day=first_day,
        last_day=last_day,
        ignore_appointment=ignore_appointment,
    )
    practitioners = read.practitioners  # one without hours has no free time anyway
    closures_by_practitioner: dict[int, list[availability.Interval]] = {pk: [] for pk in practitioners}
    for closure in read.closures:
        intervals = list(_closure_intervals(closure, tz))
        for pk in [closure.practitioner_id] if closure.practitioner_id else practitioners:
            if pk in closures_by_practitioner:
                closures_by_practitioner[pk] += intervals
    ordered = sorted(practitioners.values(), key=attrgetter("name", "pk"))
    # "No preference" (`known` given): each practitioner is checked only at the times nobody before
    # them was found free at; practitioners mostly share their hours, so each set of hours' possible
    # starts is worked out once.
    possible: dict[tuple[availability.WorkingHours, ...], set[int]] = {}
    for p in ordered:
        hours = tuple(read.hours[p.pk])
        if known is not None and hours not in possible:
            possible[hours] = set(
                availability.working_micros(
                    tz=tz, hours=hours, rules=rules, duration=consultation_type.duration, now=now,
                    first_day=first_day, last_day=last_day,
                )
            )  # fmt: skip
        yield (
            p,
            availability.free_micros(
                tz=tz,
                hours=hours,
                closures=closures_by_practitioner[p.pk],
                busy=read.busy.get(p.pk, []),
                rules=rules,
                duration=consultation_type.duration,
                buffer=consultation_type.buffer,
                now=now,
                first_day=first_day,
                last_day=last_day,
                candidates=None if known is None else possible[hours] - known,
            ),
        )


def nearest_slots(slots: Iterable[PractitionerSlot], wanted: datetime.datetime, n: int = 3) -> list[PractitionerSlot]:
    """The n free slots closest to the time the patient wanted, one per start time."""
    by_start: dict[datetime.datetime, PractitionerSlot] = {}
    for slot in slots:
        by_start.setdefault(slot.start, slot)
    chosen = availability.nearest([availability.Slot(s.start, s.end) for s in by_start.values()], wanted, n)
    return [by_start[s.start] for s in chosen]


def requested_week(text: str | None, *, today: datetime.date) -> datetime.date:
    """The day a `?week=` parameter asks for, kept between today and the booking horizon (today if not a date)."""
    try:
        day = datetime.date.fromisoformat(text or "")
    except ValueError:
        return today
    return min(max(day, today), today + datetime.timedelta(days=booking_rules().horizon_days))


def week_of_free_times(
    *,
    consultation_type: ConsultationType,
    practitioner: Practitioner | None,
    anchor: datetime.date,
    today: datetime.date,
    now: datetime.datetime,
    ignore_appointment: Appointment | None = None,
    starts: list[datetime.datetime] | None = None,
) -> WeekOfFreeTimes:
    """The week (Monday to Sunday) holding `anchor`, ready for the time picker.

    Returns the days from today on, each with its free start times in clinic time (one per
    time, whoever is free), and the neighbouring weeks a patient may move to. `starts`, if
    given, are that week's free start times already found (`first_week_with_free_time`).
    """
    tz = clinic_tz()
    monday = anchor - datetime.timedelta(days=anchor.weekday())
    if starts is None:
        starts = _week_starts(consultation_type, practitioner, monday, today, now, ignore_appointment)
    days: dict[datetime.date, list[datetime.datetime]] = {monday + datetime.timedelta(days=i): [] for i in range(7)}
    for start in starts:
        local = start.astimezone(tz)
        days[local.date()].append(local)
    horizon = today + datetime.timedelta(days=booking_rules().horizon_days)
    next_monday = monday + datetime.timedelta(days=7)
    shown = [(day, times) for day, times in days.items() if day >= today]
    fixed = frozenset(start for _, times in shown for start in times if timing.inside_cutoff(start, now=now))
    return {
        "days": shown,
        "picker_days": picker_days(shown, fixed),
        "previous_week": monday - datetime.timedelta(days=7) if monday > today else None,
        "next_week": next_monday if next_monday <= horizon else None,
        "any_slots": bool(starts),
        "cannot_change_online": fixed,
    }


def _week_starts(
    consultation_type: ConsultationType,
    practitioner: Practitioner | None,
    monday: datetime.date,
    today: datetime.date,
    now: datetime.datetime,
    ignore_appointment: Appointment | None = None,
) -> list[datetime.datetime]:
    return free_starts(
        consultation_type=consultation_type,
        practitioner=practitioner,
        first_day=max(monday, today),
        last_day=monday + datetime.timedelta(days=6),
        now=now,
        ignore_appointment=ignore_appointment,
    )


def first_week_with_free_time(
    *,
    consultation_type: ConsultationType,
    practitioner: Practitioner | None,
    today: datetime.date,
    now: datetime.datetime,
) -> tuple[datetime.date, list[datetime.datetime]] | None:
    """The first week (from this one to the booking horizon) with a free slot: (its Monday, its free starts, sorted).

    Searches forward a week at a time and stops at the first free slot, so the usual answer
    costs one week's work, not the whole horizon's. Its first start is that of the first free
    slot of the whole horizon (the same answer as `free_slots` over it all, tested with hypothesis).
    """
    horizon = today + datetime.timedelta(days=booking_rules().horizon_days)
    monday = today - datetime.timedelta(days=today.weekday())
    while monday <= horizon:
        starts = _week_starts(consultation_type, practitioner, monday, today, now)
        if starts:
            return monday, starts
        monday += datetime.timedelta(days=7)
    return None
