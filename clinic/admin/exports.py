"""Exports for the desk: appointments in a date range as CSV."""

import csv

from django import forms
from django.contrib import admin
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from ..lib.clock import clinic_tz, day_bounds, within_diary
from ..lib.spreadsheets import csv_safe
from ..models import (
    Appointment,
)
from .common import require


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
