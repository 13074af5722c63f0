"""Staff pages beyond the model screens: today's agenda, the dashboard's figures, the appointments CSV."""

import csv
import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from treatments.models import AftercareCheckIn, ConditionPage, TreatmentPage

from .models import Appointment, Closure, Outbox, Practitioner
from .schedule import clinic_tz, within_diary
from .spreadsheets import csv_safe

AGENDA_STEP = datetime.timedelta(minutes=15)
DEFAULT_DAY = (datetime.time(9), datetime.time(17))


def require(request, *perms):
    if not request.user.has_perms(perms):
        raise PermissionDenied


def day_bounds(day):
    """The aware start and end of a clinic-local day."""
    tz = clinic_tz()
    start = datetime.datetime.combine(day, datetime.time(), tz)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tz)


# --- The agenda --------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # appointment, free, closed or off (not working)
    rowspan: int = 1
    appointment: Appointment | None = None
    reason: str = ""


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
            start = datetime.datetime.combine(day, closure.start_time, tz)
            yield start, datetime.datetime.combine(day, closure.end_time, tz), closure.reason


def build_agenda(day, *, practitioners, appointments, closures, step=AGENDA_STEP):
    """Rows of the day at `step`, one cell per practitioner: appointments span their rows, gaps show as free.

    Pure: the practitioners (with working_hours loaded), appointments and closures are given.
    """
    tz = clinic_tz()
    hours = {p.pk: [h for h in p.working_hours.all() if h.weekday == day.weekday()] for p in practitioners}
    starts = [h.start for hs in hours.values() for h in hs] + [a.starts_at.astimezone(tz).time() for a in appointments]
    ends = [h.end for hs in hours.values() for h in hs] + [a.blocks_until.astimezone(tz).time() for a in appointments]
    first = min(starts, default=DEFAULT_DAY[0])
    last = max(ends, default=DEFAULT_DAY[1])
    t = datetime.datetime.combine(day, first.replace(minute=first.minute - first.minute % 15), tz)
    end = datetime.datetime.combine(day, last, tz)
    rows = []
    while t < end:
        rows.append(AgendaRow(t))
        t += step

    for p in practitioners:
        theirs = sorted((a for a in appointments if a.practitioner_id == p.pk), key=lambda a: a.starts_at)
        closed = list(_closed_intervals(closures, p, day, tz))
        working = [
            (datetime.datetime.combine(day, h.start, tz), datetime.datetime.combine(day, h.end, tz))
            for h in hours[p.pk]
        ]
        covered_until = None
        for row in rows:
            row_end = row.time + step
            if covered_until and row.time < covered_until:
                continue  # inside an appointment drawn above
            starting = [
                a for a in theirs if row.time <= a.starts_at < row_end or (a.starts_at < row.time < a.blocks_until)
            ]
            if starting:
                appointment = starting[0]
                span = sum(1 for r in rows if r.time >= row.time and r.time < appointment.blocks_until)
                row.cells.append(Cell("appointment", rowspan=max(span, 1), appointment=appointment))
                covered_until = row.time + step * max(span, 1)
                continue
            reason = next((r for start, stop, r in closed if start < row_end and stop > row.time), None)
            if reason is not None:
                row.cells.append(Cell("closed", reason=reason))
            elif any(start <= row.time and row_end <= stop for start, stop in working):
                row.cells.append(Cell("free"))
            else:
                row.cells.append(Cell("off"))
    return rows


def agenda(request, day=None):
    """Today's (or another day's) appointments: a column per practitioner, a row per quarter hour."""
    require(request, "clinic.view_appointment")
    today = timezone.now().astimezone(clinic_tz()).date()
    try:
        day = datetime.date.fromisoformat(day or request.GET.get("day") or today.isoformat())
    except ValueError:
        raise Http404("Not a date") from None
    if not within_diary(day, now=timezone.now()):
        raise Http404("Outside the diary")
    start, end = day_bounds(day)
    appointments = list(
        Appointment.objects.active()
        .filter(starts_at__lt=end, blocks_until__gt=start)
        .select_related("patient", "consultation_type")
    )
    busy = {a.practitioner_id for a in appointments}
    practitioners = list(Practitioner.objects.filter(Q(active=True) | Q(pk__in=busy)).prefetch_related("working_hours"))
    closures = list(
        Closure.objects.filter(first_day__lte=day).filter(
            Q(last_day__gte=day) | Q(last_day__isnull=True, first_day=day)
        )
    )
    rows = build_agenda(day, practitioners=practitioners, appointments=appointments, closures=closures)
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
    }
    return TemplateResponse(request, "admin/clinic/agenda.html", context)


# --- The dashboard -----------------------------------------------------------


def _link(name, query=""):
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def dashboard(request, *, now):
    """What the landing page shows this user: only the panels their role may see."""
    user = request.user
    today = now.astimezone(clinic_tz()).date()
    panels = {"today": today}
    if user.has_perm("clinic.view_appointment"):
        start, end = day_bounds(today)
        panels["todays_appointments"] = list(
            Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
            .select_related("patient", "practitioner", "consultation_type")
            .order_by("starts_at")
        )
    if user.has_perm("treatments.view_concern"):
        panels["concerns_waiting"] = AftercareCheckIn.objects.filter(
            feeling=AftercareCheckIn.Feeling.WORRIED, handled_at__isnull=True
        ).count()
        panels["concerns_url"] = _link("admin:treatments_aftercarecheckin_changelist")
    if user.has_perm("clinic.view_outbox"):
        panels["failed_emails"] = Outbox.objects.filter(status=Outbox.Status.FAILED).count()
        panels["failed_emails_url"] = _link("admin:clinic_outbox_changelist", "?status__exact=failed")
    if user.has_perm("treatments.view_treatmentpage") or user.has_perm("treatments.view_conditionpage"):
        due = 0
        for model in (TreatmentPage, ConditionPage):
            pages = model.objects.all()
            due += (pages.review_overdue(today) | pages.review_due_soon(today) | pages.awaiting_review()).count()
        panels["pages_due_for_review"] = due
        panels["pages_due_url"] = _link("admin:treatments_treatmentpage_changelist")
    return panels


# --- CSV export --------------------------------------------------------------


class DateRangeForm(forms.Form):
    first_day = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    MAX_DAYS = 366

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        for name in ("first_day", "last_day"):
            if data.get(name) and not within_diary(data[name], now=timezone.now()):
                self.add_error(name, "Choose a date within 20 years of today.")
                return data
        if first and last:
            if last < first:
                raise forms.ValidationError("The last day cannot be before the first day.")
            if (last - first).days >= self.MAX_DAYS:
                raise forms.ValidationError(f"Export at most {self.MAX_DAYS} days at a time.")
        return data


CSV_HEADER = ["Reference", "Date", "Time", "Practitioner", "Consultation", "Status", "Patient", "Email", "Phone"]


def export_appointments(request):
    """The appointments in a date range as CSV (clinic-local times); the form first."""
    require(request, "clinic.view_appointment")
    form = DateRangeForm(request.GET or None)
    if not form.is_valid():
        context = {**admin.site.each_context(request), "title": "Export appointments", "form": form}
        return TemplateResponse(request, "admin/clinic/export_appointments.html", context)
    first, last = form.cleaned_data["first_day"], form.cleaned_data["last_day"]
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    tz = clinic_tz()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointments-{first}-to-{last}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    rows = (
        Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "practitioner", "consultation_type")
        .order_by("starts_at")
    )
    for a in rows.iterator(chunk_size=500):
        local = a.starts_at.astimezone(tz)
        values = [
            a.reference,
            local.date().isoformat(),
            f"{local:%H:%M}",
            a.practitioner.name,
            a.consultation_type.name,
            a.get_status_display(),
            a.patient.name,
            a.patient.email,
            a.patient.phone,
        ]
        writer.writerow([csv_safe(v) for v in values])
    return response
