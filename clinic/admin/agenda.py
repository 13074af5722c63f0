"""The day's agenda: a column per practitioner, a row per quarter hour."""

import bisect
import datetime
from dataclasses import dataclass, field

from django.contrib import admin
from django.db.models import Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone

from ..aftercare import concerns
from ..lib import clock
from ..lib.clock import clinic_tz, day_bounds, within_diary
from ..models import (
    Appointment,
    Closure,
    Practitioner,
)
from .common import require

AGENDA_STEP = datetime.timedelta(minutes=15)
DEFAULT_DAY = (datetime.time(9), datetime.time(17))


# --- The agenda --------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # appointment, free (bookable), past (working time gone by), closed or off (not working)
    rowspan: int = 1
    appointment: Appointment | None = None
    reason: str = ""
    start: datetime.datetime | None = None  # a free cell's time and practitioner, for the link that books it
    practitioner: Practitioner | None = None
    # Short notes shown beside an appointment (for example an open aftercare concern): filled by the
    # agenda view from other areas, never by build_agenda.
    flags: list[str] = field(default_factory=list)

    @property
    def start_param(self):
        """The free cell's time as the booking page's `start` (UTC, no '+' to escape in a URL)."""
        return self.start.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ") if self.start else ""

    @property
    def practitioner_pk(self):
        return self.practitioner.pk if self.practitioner else ""

    @property
    def practitioner_name(self):
        return self.practitioner.name if self.practitioner else ""


@dataclass
class AgendaRow:
    time: datetime.datetime
    cells: list = field(default_factory=list)


def _closed_intervals(closures, practitioner, day, tz):
    for closure in closures:
        if closure.practitioner_id not in (None, practitioner.pk):
            continue
        if closure.start_time is None:
            yield (*day_bounds(day), closure.reason)
        else:
            start = clock.at(day, closure.start_time)
            yield start, clock.at(day, closure.end_time), closure.reason


def build_agenda(day, *, practitioners, appointments, closures, now, step=AGENDA_STEP):
    """Rows of the day at `step`, one cell per practitioner: appointments span their rows, gaps show as free.

    Working time that has begun by `now` is past, not free. Pure: the practitioners (with working_hours
    loaded), appointments and closures are given.
    """
    tz = clinic_tz()
    hours = {p.pk: [h for h in p.working_hours.all() if h.weekday == day.weekday()] for p in practitioners}
    starts = [h.start for hs in hours.values() for h in hs] + [a.starts_at.astimezone(tz).time() for a in appointments]
    ends = [h.end for hs in hours.values() for h in hs] + [a.blocks_until.astimezone(tz).time() for a in appointments]
    first = min(starts, default=DEFAULT_DAY[0])
    last = max(ends, default=DEFAULT_DAY[1])
    t = clock.at(day, first.replace(minute=first.minute - first.minute % 15))
    end = clock.at(day, last)
    rows = []
    while t < end:
        rows.append(AgendaRow(t))
        t += step

    # One pass: each practitioner's appointments sorted once and walked with the rows
    # (O(appointments + rows) per practitioner, not appointments x rows).
    times = [row.time for row in rows]
    by_practitioner: dict[int, list[Appointment]] = {p.pk: [] for p in practitioners}
    for a in sorted(appointments, key=lambda a: a.starts_at):
        by_practitioner.setdefault(a.practitioner_id, []).append(a)
    for p in practitioners:
        theirs = by_practitioner[p.pk]
        closed = list(_closed_intervals(closures, p, day, tz))
        working = [(clock.at(day, h.start), clock.at(day, h.end)) for h in hours[p.pk]]
        covered_until = None
        i = 0
        for index, row in enumerate(rows):
            row_end = row.time + step
            if covered_until and row.time < covered_until:
                continue  # inside an appointment drawn above
            while i < len(theirs) and theirs[i].starts_at < row.time and theirs[i].blocks_until <= row.time:
                i += 1  # over before this row: no later row can show it either
            if i < len(theirs) and theirs[i].starts_at < row_end:
                appointment = theirs[i]
                i += 1
                span = max(bisect.bisect_left(times, appointment.blocks_until) - index, 1)
                row.cells.append(Cell("appointment", rowspan=span, appointment=appointment))
                covered_until = row.time + step * span
                continue
            reason = next((r for start, stop, r in closed if start < row_end and stop > row.time), None)
            if reason is not None:
                row.cells.append(Cell("closed", reason=reason))
            elif any(start <= row.time and row_end <= stop for start, stop in working):
                row.cells.append(Cell("past") if row.time < now else Cell("free", start=row.time, practitioner=p))
            else:
                row.cells.append(Cell("off"))
    return rows


CALL_BACK_FLAG = "Waiting for a clinical call-back"


def agenda(request, day=None):
    """Today's (or another day's) appointments: a column per practitioner, a row per quarter hour."""
    require(request, "clinic.view_appointment")
    now = timezone.now()
    today = clock.today(now)
    try:
        day = datetime.date.fromisoformat(day or request.GET.get("day") or today.isoformat())
    except ValueError:
        raise Http404("Not a date") from None
    if not within_diary(day, now=now):
        raise Http404("Outside the diary")
    start, end = day_bounds(day)
    appointments = list(
        concerns.with_call_back_flag(Appointment.objects.active(), now=now)
        .overlapping(start, end)
        .select_related("patient", "consultation_type")
    )
    busy = {a.practitioner_id for a in appointments}
    practitioners = list(Practitioner.objects.filter(Q(active=True) | Q(pk__in=busy)).prefetch_related("working_hours"))
    closures = list(
        Closure.objects.filter(first_day__lte=day).filter(
            Q(last_day__gte=day) | Q(last_day__isnull=True, first_day=day)
        )
    )
    rows = build_agenda(day, practitioners=practitioners, appointments=appointments, closures=closures, now=now)
    if request.user.has_perm("clinic.view_callbacks"):
        # Patients waiting for a clinical call-back, flagged at their next appointment (no clinical detail).
        for cell in (cell for row in rows for cell in row.cells if cell.kind == "appointment"):
            if cell.appointment.waiting_call_back:
                cell.flags.append(CALL_BACK_FLAG)
    site = admin.site
    context = {
        **site.each_context(request),
        "title": f"Agenda for {day:%A} {day.day} {day:%B %Y}",
        "day": day,
        "today": today,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "practitioners": practitioners,
        "rows": rows,
        "appointment_count": len(appointments),
        "whole_clinic_closures": [c for c in closures if c.practitioner_id is None],
        "may_book": request.user.has_perm("clinic.add_appointment"),
    }
    return TemplateResponse(request, "admin/clinic/agenda.html", context)
