"""What a slot search reads, in one query: the practitioners with their hours, the closures, the busy times.

Three SELECTs joined by UNION ALL, each row one JSON object (the arms' columns differ), so a
search is one round trip to the database whatever the number of practitioners or days. Before,
it was three queries; on the booking flow's steps the round trips were most of a search's cost.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, Value
from django.db.models.functions import JSONObject

from ..models import Appointment, Closure, ConsultationType, Practitioner, WorkingHours
from . import availability, rows

HOURS, CLOSURE, BUSY = 0, 1, 2
PRACTITIONER_FIELDS = [f.attname for f in Practitioner._meta.concrete_fields]
CLOSURE_FIELDS = ["practitioner_id", "first_day", "last_day", "start_time", "end_time"]


@dataclass
class Diary:
    """Practitioners (by id, ordered by id) with their hours, and the closures and busy times that concern them."""

    practitioners: dict[int, Practitioner] = field(default_factory=dict)
    hours: dict[int, list[availability.WorkingHours]] = field(default_factory=dict)
    closures: list[Closure] = field(default_factory=list)
    busy: dict[int, list[availability.Interval]] = field(default_factory=dict)


def read(
    *,
    consultation_type: ConsultationType,
    practitioner: Practitioner | None,
    window: availability.Interval,
    first_day: datetime.date,
    last_day: datetime.date,
    ignore_appointment: Appointment | None = None,
) -> Diary:
    """One query: who offers this type (or just `practitioner`) and has hours, and their closures and bookings."""
    hours = WorkingHours.objects.filter(
        practitioner__active=True, practitioner__consultation_types=consultation_type
    ).order_by()
    if practitioner is not None:
        hours = hours.filter(practitioner=practitioner.pk)
    offering = hours.values("practitioner_id")
    closures = (
        Closure.objects.filter(Q(practitioner__isnull=True) | Q(practitioner__in=offering), first_day__lte=last_day)
        .filter(Q(last_day__gte=first_day) | Q(last_day__isnull=True, first_day__gte=first_day))
        .order_by()
    )
    busy = Appointment.objects.active().overlapping(window.start, window.end).filter(practitioner__in=offering)
    if ignore_appointment is not None:
        busy = busy.exclude(pk=ignore_appointment.pk)
    arms = [
        hours.annotate(
            row=JSONObject(
                k=Value(HOURS),
                weekday=F("weekday"),
                start=F("start"),
                end=F("end"),
                **{f"p_{name}": F(f"practitioner__{name}") for name in PRACTITIONER_FIELDS},
            )
        ),
        closures.annotate(row=JSONObject(k=Value(CLOSURE), **{name: F(name) for name in CLOSURE_FIELDS})),
        busy.order_by().annotate(
            row=JSONObject(k=Value(BUSY), p=F("practitioner_id"), s=F("starts_at"), e=F("blocks_until"))
        ),
    ]
    first, *rest = (arm.values_list("row", flat=True) for arm in arms)
    return _diary(first.union(*rest, all=True))


def _diary(rows_read: Iterable[dict[str, Any]]) -> Diary:
    diary = Diary()
    hours: list[tuple[int, availability.WorkingHours]] = []
    busy: list[tuple[int, availability.Interval]] = []
    for row in rows_read:
        if row["k"] == HOURS:
            values = {name: row[f"p_{name}"] for name in PRACTITIONER_FIELDS}
            pk = values["id"]
            if pk not in diary.practitioners:
                diary.practitioners[pk] = rows.restore(Practitioner, values)
            start, end = datetime.time.fromisoformat(row["start"]), datetime.time.fromisoformat(row["end"])
            hours.append((pk, availability.WorkingHours(row["weekday"], start, end)))
        elif row["k"] == CLOSURE:
            diary.closures.append(rows.restore(Closure, {name: row[name] for name in CLOSURE_FIELDS}))
        else:
            busy.append((row["p"], availability.Interval(_aware(row["s"]), _aware(row["e"]))))
    diary.practitioners = dict(sorted(diary.practitioners.items()))
    for pk, interval in sorted(hours, key=lambda item: (item[0], item[1].start)):
        diary.hours.setdefault(pk, []).append(interval)
    for pk, interval in busy:
        if pk in diary.practitioners:
            diary.busy.setdefault(pk, []).append(interval)
    return diary


def _aware(text: str) -> datetime.datetime:
    """A timestamp as JSON gives it: ISO with an offset (PostgreSQL), or naive UTC text (SQLite)."""
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
