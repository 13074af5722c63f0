"""Patients: their record, appointment history, emails, and their data (export and erasure)."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join

from ..lib import clock
from ..lib.phones import INVALID_MESSAGE as PHONE_MESSAGE
from ..lib.phones import InvalidPhone, normalise_phone
from ..models import (
    Appointment,
    Outbox,
    Patient,
)
from ..staff import patient_data
from ..staff.patient_search import PatientSearchMixin
from ..staff.site import HistoryAdminMixin


class PatientForm(forms.ModelForm):
    """A number typed at the desk is stored as the booking form stores it: E.164."""

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except InvalidPhone:
            raise forms.ValidationError(PHONE_MESSAGE) from None


@admin.register(Patient)
class PatientAdmin(PatientSearchMixin, HistoryAdminMixin):
    form = PatientForm
    list_display = ("name", "email", "phone", "date_of_birth", "appointment_count", "erased_at")
    list_filter = (("erased_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "email", "phone")  # the SQL: PatientSearchMixin.search_q
    search_help_text = "Name, email or phone (any format: 07911 123456, +44 7911 123456…)."
    # "N results (Show all)", not "(M total)": M would count every patient and join their appointments.
    show_full_result_count = False
    fields = (
        "name",
        "email",
        "phone",
        "date_of_birth",
        "marketing_consent",
        "created_at",
        "erased_at",
        "appointment_history",
        "emails_sent",
    )
    readonly_fields = ("created_at", "erased_at", "appointment_history", "emails_sent")
    change_form_template = "admin/clinic/patient/change_form.html"
    list_per_page = 100

    def get_queryset(self, request):
        # Counted per patient listed (an index lookup each), not by joining every appointment and
        # grouping: with a search the planner could not estimate, that join read the whole table.
        total = (
            Appointment.objects.filter(patient=OuterRef("pk"))
            .order_by()
            .values("patient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(appointments_total=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)))
        )

    def has_delete_permission(self, request, obj=None):
        return False  # erase instead: it keeps the legal-hold records and cancels mail

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.erased_at is not None:
            return self.fields
        return self.readonly_fields

    @admin.display(description="Appointments", ordering="appointments_total")
    def appointment_count(self, patient):
        return patient.appointments_total

    @admin.display(description="Appointment history")
    def appointment_history(self, patient):
        rows = patient.appointments.select_related("practitioner", "consultation_type").order_by("-starts_at")
        return (
            format_html_join(
                "\n",
                '<div><a href="{}">{}</a> {}, {}, {} — {}</div>',
                (
                    (
                        reverse("admin:clinic_appointment_change", args=[a.pk]),
                        a.reference,
                        f"{clock.local(a.starts_at):%d %b %Y %H:%M}",
                        a.consultation_type,
                        a.practitioner.name,
                        a.get_status_display(),
                    )
                    for a in rows
                ),
            )
            or "None yet"
        )

    @admin.display(description="Emails sent to them")
    def emails_sent(self, patient):
        emails = Outbox.objects.filter(recipient__iexact=patient.email).order_by("-created_at")[:50]
        return (
            format_html_join(
                "\n",
                '<div><a href="{}">#{}</a> {} — {} ({})</div>',
                (
                    (
                        reverse("admin:clinic_outbox_preview", args=[e.pk]),
                        e.pk,
                        e.kind,
                        e.get_status_display(),
                        f"{clock.local(e.sent_at or e.created_at):%d %b %Y %H:%M}",
                    )
                    for e in emails
                ),
            )
            or "None"
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/export.<str:fmt>", view(self.export_view), name="clinic_patient_export"),
            path("<int:pk>/erase/", view(self.erase_view), name="clinic_patient_erase"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_erase": request.user.has_perm("clinic.delete_patient")}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def export_view(self, request, pk, fmt):
        """Everything held about the patient (an access request), as JSON or CSV; the export is logged."""
        patient = get_object_or_404(Patient, pk=pk)
        if fmt not in ("json", "csv"):
            raise Http404
        if not self.has_view_permission(request, patient):
            raise PermissionDenied
        data = patient_data.export_patient(patient, user=request.user)
        self.log_change(request, patient, f"Exported their data ({fmt.upper()})")
        if fmt == "json":
            response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
        else:
            response = HttpResponse(patient_data.export_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}.{fmt}"'
        return response

    def erase_view(self, request, pk):
        """A confirmation page; POST erases (clinic managers only)."""
        patient = get_object_or_404(Patient, pk=pk)
        if not request.user.has_perm("clinic.delete_patient"):
            raise PermissionDenied
        if request.method == "POST":
            result = patient_data.erase_patient(patient=patient, now=timezone.now())
            if result.get("already_erased"):
                self.message_user(request, "This patient was already erased.", messages.WARNING)
            else:
                patient.refresh_from_db()  # the log names the erased record, never the person
                self.log_change(request, patient, "Erased on request")
                self.message_user(
                    request,
                    f"Patient erased. {result['emails_cancelled']} pending email(s) and "
                    f"{result['appointments_cancelled']} upcoming appointment(s) cancelled; "
                    f"{result['treatment_records_kept']} treatment record(s) kept under legal hold.",
                )
            return redirect("admin:clinic_patient_change", patient.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": patient,
            "title": f"Erase {patient}?",
            "treatment_records": patient.treatment_records.count(),
            "upcoming": patient.appointments.filter(
                status=Appointment.Status.BOOKED, starts_at__gt=timezone.now()
            ).count(),
        }
        return TemplateResponse(request, "admin/clinic/patient/erase.html", context)
