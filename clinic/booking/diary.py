"""What a slot search reads, in one query: the practitioners with their hours, the closures, the busy times.

Four SELECTs joined by UNION ALL, padded with NULLs to the same columns, so a search is one
round trip to the database whatever the number of practitioners or days. Each practitioner's
own columns come once (not on each of their hours), and the busy times come as ISO text, read
by `datetime.fromisoformat`: the driver's own reading of a timestamp, through Django's
time-zone loader, cost more than the rest of the search with 50 practitioners. The SQL is written
here rather than composed by the ORM: composing the union cost more than running it, on every
search (the time picker, each booking step). It is the same on PostgreSQL and SQLite; the
tables and columns are the models' own (`Model._meta`), and the values are passed as
parameters, adapted by the connection as the ORM adapts them.
"""

import datetime
import functools
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from ..lib import prepared
from ..models import Appointment, Closure, ConsultationType, Practitioner, WorkingHours
from ..models.appointments import MAX_BLOCK
from . import availability, rows

PRACTITIONER, HOURS, CLOSURE, BUSY = 0, 1, 2, 3
PRACTITIONER_FIELDS = [f.attname for f in Practitioner._meta.concrete_fields]
PRACTITIONER_COLUMNS = [f.column or f.attname for f in Practitioner._meta.concrete_fields]
NO_WEEKDAY, NO_TIME, NO_DAY, NO_MOMENT = (f"CAST(NULL AS {t})" for t in ("integer", "time", "date", "text"))


@dataclass
class Diary:
    """Practitioners (by id) with their hours, and the closures and busy times that concern them."""

    practitioners: dict[int, Practitioner] = field(default_factory=dict)
    hours: dict[int, list[availability.WorkingHours]] = field(default_factory=dict)
    closures: list[Closure] = field(default_factory=list)
    busy: dict[int, list[availability.Interval]] = field(default_factory=dict)


@functools.cache
def _sql(*, one_practitioner: bool, ignoring_one: bool) -> str:
    """The query, with %s for: type (and practitioner) once per arm that needs who offers it, then each arm's values.

    Columns: kind, practitioner id, weekday, start time, end time, first day, last day, starts at,
    blocks until (as text), then the practitioner's own columns (practitioner rows only).
    """
    q = connection.ops.quote_name
    through = Practitioner.consultation_types.through._meta
    p, h, c, a = (m._meta.db_table for m in (Practitioner, WorkingHours, Closure, Appointment))
    offering_from = (
        f"FROM {q(h)} h JOIN {q(p)} p ON p.id = h.practitioner_id"
        f" JOIN {q(through.db_table)} pc ON pc.practitioner_id = p.id"
        " WHERE p.active AND pc.consultationtype_id = %s" + (" AND h.practitioner_id = %s" if one_practitioner else "")
    )
    offering = f"SELECT h.practitioner_id {offering_from}"
    practitioner_columns = ", ".join(f"p.{q(column)}" for column in PRACTITIONER_COLUMNS)
    no_practitioner = ", ".join(["NULL"] * len(PRACTITIONER_FIELDS))
    statuses = ", ".join(["%s"] * len(Appointment.ACTIVE_STATUSES))
    # Only the models' table and column names and constants go into the text; every value is a parameter.
    return (
        # The first arm types its NULLs: PostgreSQL reads an untyped column of two arms as text.
        f"SELECT {PRACTITIONER}, p.id, {NO_WEEKDAY}, {NO_TIME}, {NO_TIME}, {NO_DAY}, {NO_DAY},"
        f" {NO_MOMENT}, {NO_MOMENT}, {practitioner_columns} FROM {q(p)} p WHERE p.id IN ({offering})"
        f" UNION ALL SELECT {HOURS}, h.practitioner_id, h.weekday, h.{q('start')}, h.{q('end')}, NULL, NULL,"
        f" NULL, NULL, {no_practitioner} {offering_from}"
        f" UNION ALL SELECT {CLOSURE}, c.practitioner_id, NULL, c.start_time, c.end_time, c.first_day, c.last_day,"
        f" NULL, NULL, {no_practitioner} FROM {q(c)} c"
        f" WHERE (c.practitioner_id IS NULL OR c.practitioner_id IN ({offering})) AND c.first_day <= %s"
        f" AND (c.last_day >= %s OR (c.last_day IS NULL AND c.first_day >= %s))"
        f" UNION ALL SELECT {BUSY}, a.practitioner_id, NULL, NULL, NULL, NULL, NULL, CAST(a.starts_at AS text),"
        f" CAST(a.blocks_until AS text),"
        f" {no_practitioner} FROM {q(a)} a"
        f" WHERE a.practitioner_id IN ({offering}) AND a.status IN ({statuses})"
        # As Appointment.objects.overlapping: bounded on the indexed start from both sides.
        f" AND a.starts_at < %s AND a.starts_at > %s AND a.blocks_until > %s"
        + (" AND a.id <> %s" if ignoring_one else "")
    )


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
    ops = connection.ops
    offering = [consultation_type.pk] + ([practitioner.pk] if practitioner is not None else [])
    start, end = ops.adapt_datetimefield_value(window.start), ops.adapt_datetimefield_value(window.end)
    params = [
        *offering,
        *offering,
        *offering,
        ops.adapt_datefield_value(last_day),
        ops.adapt_datefield_value(first_day),
        ops.adapt_datefield_value(first_day),
        *offering,
        *Appointment.ACTIVE_STATUSES,
        end,
        ops.adapt_datetimefield_value(window.start - MAX_BLOCK),
        start,
    ]
    if ignore_appointment is not None:
        params.append(ignore_appointment.pk)
    sql = _sql(one_practitioner=practitioner is not None, ignoring_one=ignore_appointment is not None)
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)  # planned once per connection on PostgreSQL
        return _diary(cursor.fetchall())


def _diary(rows_read: list[tuple[Any, ...]]) -> Diary:
    diary = Diary()
    hours: list[tuple[int, availability.WorkingHours]] = []
    busy: list[tuple[int, availability.Interval]] = []
    for kind, pk, weekday, start, end, first_day, last_day, starts_at, blocks_until, *practitioner in rows_read:
        if kind == HOURS:
            hours.append((pk, _working_hours(weekday, _time(start), _time(end))))
        elif kind == PRACTITIONER:
            diary.practitioners[pk] = rows.restore(
                Practitioner, dict(zip(PRACTITIONER_FIELDS, practitioner, strict=True))
            )
        elif kind == CLOSURE:
            values = {"practitioner_id": pk, "first_day": first_day, "last_day": last_day}
            diary.closures.append(rows.restore(Closure, {**values, "start_time": start, "end_time": end}))
        else:
            busy.append((pk, availability.Interval(_aware(starts_at), _aware(blocks_until))))
    for pk, week in sorted(hours, key=lambda item: (item[0], item[1].start)):
        diary.hours.setdefault(pk, []).append(week)
    for pk, interval in busy:
        if pk in diary.practitioners:
            diary.busy.setdefault(pk, []).append(interval)
    return diary


# Practitioners mostly share their hours: each distinct (weekday, start, end) is made and checked once.
_working_hours = functools.lru_cache(maxsize=1024)(availability.WorkingHours)


def _time(value: datetime.time | str) -> datetime.time:
    """A time as the driver gives it: a time (PostgreSQL) or ISO text (SQLite)."""
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(value)


def _aware(value: datetime.datetime | str) -> datetime.datetime:
    """A timestamp read as text: with its offset (PostgreSQL) or naive UTC (SQLite); or as the driver gives it."""
    moment = value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
