"""Staff screens: the email outbox, appointments, patients, schedules and treatment records."""

import datetime
import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import booking, field_access, outbox, patients, schedule, treatment_records
from .admin_site import HistoryAdminMixin
from .admin_views import day_bounds
from .models import (
    Appointment,
    Closure,
    ConsultationType,
    Outbox,
    Patient,
    Practitioner,
    Questionnaire,
    TreatmentRecord,
    WorkingHours,
)
from .schedule import clinic_tz

# The HTML part of an email is shown as its own document: sandboxed (no scripts, no forms, its own
# origin), inline styles allowed because that is how email is written, nothing loaded from elsewhere.
EMAIL_PREVIEW_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "category", "status", "next_attempt_at", "attempts", "last_error", "sent_at")
    list_filter = ("status", "kind", "category")
    # Never the bodies: they hold patients' details. An exact address finds one patient's mail.
    search_fields = ("kind", "idempotency_key", "cause", "=recipient")
    search_help_text = "Kind, idempotency key, cause (e.g. appointment:42) or an exact email address."
    date_hierarchy = "send_after"
    ordering = ("-next_attempt_at",)
    actions = ["retry_now", "cancel"]
    fields = (
        "preview",
        "status",
        "kind",
        "category",
        "cause",
        "idempotency_key",
        "recipient",
        "subject",
        "message_id",
        "send_after",
        "next_attempt_at",
        "attempts",
        "lease_until",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # email is only ever queued by the site itself

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="clinic_outbox_preview"),
            path("<int:pk>/preview/html/", view(self.preview_html_view), name="clinic_outbox_preview_html"),
            *super().get_urls(),
        ]

    @admin.display(description="Preview")
    def preview(self, obj):
        return format_html('<a href="{}">Show the email</a>', reverse("admin:clinic_outbox_preview", args=[obj.pk]))

    def _viewable(self, request, pk):
        email = get_object_or_404(Outbox, pk=pk)
        if not self.has_view_permission(request, email):
            raise PermissionDenied
        return email

    def preview_view(self, request, pk):
        """Subject, headers, the text part, and the HTML part as escaped source with a link to see it drawn."""
        email = self._viewable(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": email,
            "title": f"Email #{email.pk}",
            "email": email,
            "from_email": settings.DEFAULT_FROM_EMAIL,
            "has_unsubscribe_link": email.category != Outbox.Category.ESSENTIAL,
        }
        return TemplateResponse(request, "clinic/email_preview.html", context)

    def preview_html_view(self, request, pk):
        email = self._viewable(request, pk)
        response = HttpResponse(email.body_html, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = EMAIL_PREVIEW_CSP
        response["Referrer-Policy"] = "no-referrer"  # links in the email must not learn the admin's address
        return response

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox.retry_now(ids=list(queryset.values_list("pk", flat=True)), now=timezone.now())
        skipped = queryset.count() - count
        self.message_user(
            request, f"{count} email(s) will be sent now; {skipped} already sent or cancelled, left alone."
        )

    @admin.action(description="Cancel", permissions=["change"])
    def cancel(self, request, queryset):
        count = outbox.cancel(ids=list(queryset.values_list("pk", flat=True)))
        skipped = queryset.count() - count
        self.message_user(
            request, f"{count} email(s) cancelled; {skipped} already sent, sending or cancelled, left alone."
        )


# --- Appointments -------------------------------------------------------------


def status_badge(appointment):
    return format_html(
        '<span class="status-badge status-{}">{}</span>', appointment.status, appointment.get_status_display()
    )


class WhenFilter(admin.SimpleListFilter):
    """Today, tomorrow or this week, in clinic time."""

    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("today", "Today"), ("tomorrow", "Tomorrow"), ("week", "This week")]

    def queryset(self, request, queryset):
        today = timezone.now().astimezone(clinic_tz()).date()
        days = {
            "today": (today, today),
            "tomorrow": (today + datetime.timedelta(days=1),) * 2,
            "week": (
                today - datetime.timedelta(days=today.weekday()),
                today + datetime.timedelta(days=6 - today.weekday()),
            ),
        }.get(self.value())
        if days is None:
            return queryset
        return queryset.filter(starts_at__gte=day_bounds(days[0])[0], starts_at__lt=day_bounds(days[1])[1])


class QuestionnaireInline(admin.StackedInline):
    """Pre-consultation answers: only for staff with clinic.view_questionnaire (clinicians)."""

    model = Questionnaire
    fields = Questionnaire.QUESTIONS
    readonly_fields = Questionnaire.QUESTIONS
    can_delete = False
    extra = 0
    verbose_name = verbose_name_plural = "Pre-consultation answers"

    def has_view_permission(self, request, obj=None):
        return field_access.can_read(request.user, Questionnaire)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CancelForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=200,
        label="Reason given to the patient (optional)",
        help_text="Shown in the cancellation email. No clinical detail.",
    )


class MoveForm(forms.Form):
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.none())
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 300}), help_text="Clinic time.")

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = Practitioner.objects.filter(
            active=True, consultation_types=appointment.consultation_type
        )

    def starts_at(self):
        return datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"], clinic_tz())


def _shown(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    return value or "nothing"


def describe_slot(slot):
    local = slot.start.astimezone(clinic_tz())
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} with {slot.practitioner.name}"


@admin.register(Appointment)
class AppointmentAdmin(HistoryAdminMixin):
    list_display = ("starts_at", "reference", "patient", "practitioner", "consultation_type", "status_badge")
    list_display_links = ("starts_at", "reference")
    list_filter = (WhenFilter, "practitioner", "status", "consultation_type", "details_to_confirm")
    list_select_related = ("patient", "practitioner", "consultation_type")
    search_fields = ("reference", "patient__name", "patient__email", "patient__phone")
    search_help_text = "Booking reference, or the patient's name, email or phone."
    date_hierarchy = "starts_at"
    ordering = ("starts_at",)
    list_per_page = 100
    actions = ["mark_attended", "mark_no_show", "cancel_with_notice", "resend_confirmation"]
    inlines = [QuestionnaireInline]
    change_form_template = "admin/clinic/appointment/change_form.html"
    fields = (
        "reference",
        "patient_link",
        "status_badge",
        "starts_at",
        "ends_at",
        "practitioner",
        "consultation_type",
        "notes",
        "given_details",
        "created_at",
        "cancelled_at",
        "privacy_notice_version",
        "consented_at",
    )

    def has_add_permission(self, request):
        return False  # bookings come through the booking pages and their rules

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the diary and its emails stay consistent

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, appointment):
        return status_badge(appointment)

    @admin.display(description="Details given at booking")
    def given_details(self, appointment):
        differences = appointment.given_details_differences()
        if not differences:
            return "The same as the patient's record."
        labels = {
            field: Patient._meta.get_field(field).verbose_name.capitalize() for field, _ in Appointment.GIVEN_DETAILS
        }
        items = format_html_join(
            "",
            "<li>{}: <strong>{}</strong> given at booking; the record has {}</li>",
            ((labels[field], _shown(given), _shown(stored)) for field, stored, given in differences),
        )
        state = (
            "Waiting for staff to confirm." if appointment.details_to_confirm else "Staff kept the record as it was."
        )
        return format_html("<ul>{}</ul><p>{}</p>", items, state)

    @admin.display(description="Patient")
    def patient_link(self, appointment):
        url = reverse("admin:clinic_patient_change", args=[appointment.patient_id])
        return format_html('<a href="{}">{}</a>', url, appointment.patient)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/move/", view(self.move_view), name="clinic_appointment_move"),
            path("<int:pk>/given-details/", view(self.given_details_view), name="clinic_appointment_given_details"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appointment = self.get_object(request, object_id)
        extra = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        if appointment is not None:
            extra["can_move"] = appointment.status == Appointment.Status.BOOKED and self.has_change_permission(
                request, appointment
            )
            extra["can_confirm_details"] = appointment.details_to_confirm and request.user.has_perm(
                "clinic.change_patient"
            )
            if request.user.has_perm("clinic.add_treatmentrecord"):
                extra["record_treatment_url"] = (
                    reverse("admin:clinic_treatmentrecord_add") + f"?appointment={appointment.pk}"
                )
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def given_details_view(self, request, pk):
        """POST: copy the details given at booking onto the patient's record, or keep the record as it is."""
        appointment = get_object_or_404(Appointment.objects.select_related("patient"), pk=pk)
        if request.method != "POST":
            return redirect("admin:clinic_appointment_change", appointment.pk)
        if not request.user.has_perm("clinic.change_patient"):
            raise PermissionDenied
        apply = request.POST.get("choice") == "apply"
        booking.confirm_given_details(appointment=appointment, apply=apply)
        if apply:
            self.log_change(request, appointment.patient, f"Details given at booking {appointment.reference} applied")
            self.message_user(request, "The patient's record now has the details given at booking.")
        else:
            self.message_user(request, "The patient's record is kept as it was.")
        return redirect("admin:clinic_appointment_change", appointment.pk)

    def move_view(self, request, pk):
        """Reschedule under the booking rules; a time just taken is a form error with the nearest free times."""
        appointment = get_object_or_404(Appointment.objects.select_related("patient", "consultation_type"), pk=pk)
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        local = appointment.starts_at.astimezone(clinic_tz())
        initial = {"practitioner": appointment.practitioner_id, "day": local.date(), "time": local.time()}
        form = MoveForm(request.POST or None, appointment=appointment, initial=initial)
        alternatives = []
        if request.method == "POST" and form.is_valid():
            try:
                booking.reschedule_appointment(
                    appointment=appointment,
                    starts_at=form.starts_at(),
                    practitioner=form.cleaned_data["practitioner"],
                    now=timezone.now(),
                    by_clinic=True,
                )
            except booking.SlotUnavailable as exc:
                alternatives = [describe_slot(slot) for slot in exc.alternatives]
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"{appointment.reference} moved; the patient has been emailed the new time.")
                return redirect("admin:clinic_appointment_change", appointment.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": appointment,
            "title": f"Move appointment {appointment.reference}",
            "form": form,
            "alternatives": alternatives,
        }
        return TemplateResponse(request, "admin/clinic/appointment/move.html", context)

    @admin.action(description="Mark attended", permissions=["change"])
    def mark_attended(self, request, queryset):
        self._set_status(request, queryset, Appointment.Status.ATTENDED)

    @admin.action(description="Mark did not attend", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._set_status(request, queryset, Appointment.Status.NO_SHOW)

    def _set_status(self, request, queryset, status):
        # Only a booked (or already marked) appointment can be marked; a cancelled one stays cancelled.
        markable = queryset.filter(status__in=Appointment.ACTIVE_STATUSES)
        for appointment in markable:
            booking.set_status(appointment=appointment, status=status)
        skipped = queryset.count() - len(markable)
        label = Appointment.Status(status).label.lower()
        message = f"{len(markable)} appointment(s) marked {label}."
        self.message_user(request, message + (f" {skipped} cancelled, left alone." if skipped else ""))

    @admin.action(description="Cancel and tell the patient", permissions=["change"])
    def cancel_with_notice(self, request, queryset):
        form = CancelForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            now = timezone.now()
            booked = list(queryset.filter(status=Appointment.Status.BOOKED))
            for appointment in booked:
                booking.cancel_appointment(
                    appointment=appointment, by_clinic=True, now=now, reason=form.cleaned_data["reason"]
                )
            skipped = queryset.count() - len(booked)
            self.message_user(
                request,
                f"{len(booked)} appointment(s) cancelled; each patient has been emailed."
                + (f" {skipped} not booked, left alone." if skipped else ""),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Cancel appointments",
            "form": form,
            "appointments": queryset.select_related("patient", "practitioner"),
            "action": "cancel_with_notice",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/clinic/appointment/cancel_confirmation.html", context)

    @admin.action(description="Resend the confirmation email", permissions=["change"])
    def resend_confirmation(self, request, queryset):
        now = timezone.now()
        booked = list(queryset.filter(status=Appointment.Status.BOOKED))
        for appointment in booked:
            booking.resend_confirmation(appointment=appointment, now=now)
        skipped = queryset.count() - len(booked)
        self.message_user(
            request,
            f"Confirmation sent again for {len(booked)} appointment(s), with a fresh manage link."
            + (f" {skipped} not booked, left alone." if skipped else ""),
        )


# --- Patients -----------------------------------------------------------------


@admin.register(Patient)
class PatientAdmin(HistoryAdminMixin):
    list_display = ("name", "email", "phone", "date_of_birth", "appointment_count", "erased_at")
    list_filter = (("erased_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "email", "phone")
    search_help_text = "Name, email or phone."
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
        return super().get_queryset(request).annotate(appointments_total=Count("appointments"))

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
                        f"{a.starts_at.astimezone(clinic_tz()):%d %b %Y %H:%M}",
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
                        f"{(e.sent_at or e.created_at).astimezone(clinic_tz()):%d %b %Y %H:%M}",
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
        data = patients.export_patient(patient, user=request.user)
        self.log_change(request, patient, f"Exported their data ({fmt.upper()})")
        if fmt == "json":
            response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
        else:
            response = HttpResponse(patients.export_csv(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="patient-{patient.pk}.{fmt}"'
        return response

    def erase_view(self, request, pk):
        """A confirmation page; POST erases (clinic managers only)."""
        patient = get_object_or_404(Patient, pk=pk)
        if not request.user.has_perm("clinic.delete_patient"):
            raise PermissionDenied
        if request.method == "POST":
            result = patients.erase_patient(patient=patient, now=timezone.now())
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


# --- Schedules ----------------------------------------------------------------


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    fields = ("weekday", "start", "end")


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "active", "free_slots_link")
    list_filter = ("active",)
    search_fields = ("name",)
    inlines = [WorkingHoursInline]
    filter_horizontal = ("consultation_types",)
    fields = ("name", "title", "bio", "active", "consultation_types", "user")
    raw_id_fields = ("user",)

    @admin.display(description="Next 7 days")
    def free_slots_link(self, practitioner):
        url = reverse("admin:clinic_practitioner_slots", args=[practitioner.pk])
        return format_html('<a href="{}">Free times</a>', url)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/free-times/", view(self.slots_view), name="clinic_practitioner_slots"),
            *super().get_urls(),
        ]

    def slots_view(self, request, pk):
        """The practitioner's free times for the next 7 days, per consultation type, under the booking rules."""
        practitioner = get_object_or_404(Practitioner, pk=pk)
        if not self.has_view_permission(request, practitioner):
            raise PermissionDenied
        now = timezone.now()
        first = now.astimezone(clinic_tz()).date()
        last = first + datetime.timedelta(days=6)
        by_type = []
        for kind in practitioner.consultation_types.all():
            days = {}
            for slot in schedule.free_slots(
                consultation_type=kind, practitioner=practitioner, first_day=first, last_day=last, now=now
            ):
                local = slot.start.astimezone(clinic_tz())
                days.setdefault(local.date(), []).append(local)
            by_type.append((kind, sorted(days.items())))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": practitioner,
            "title": f"Free times for {practitioner.name}: next 7 days",
            "by_type": by_type,
            "first_day": first,
            "last_day": last,
        }
        return TemplateResponse(request, "admin/clinic/practitioner/free_times.html", context)


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ("reason", "who", "first_day", "last_day", "start_time", "end_time")
    list_filter = ("practitioner",)
    list_select_related = ("practitioner",)
    date_hierarchy = "first_day"
    ordering = ("-first_day",)

    @admin.display(description="Who", ordering="practitioner__name")
    def who(self, closure):
        return closure.practitioner.name if closure.practitioner else "Whole clinic"


@admin.register(ConsultationType)
class ConsultationTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "duration_minutes", "buffer_minutes", "price", "bookable_online")
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ("treatments",)


# --- Treatment records ------------------------------------------------------------


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=200, label="Why is it void?", help_text="For example 'entered in error'.")


@admin.register(TreatmentRecord)
class TreatmentRecordAdmin(HistoryAdminMixin):
    list_display = ("performed_at", "patient", "treatment", "practitioner", "voided_at")
    list_filter = ("treatment", "practitioner", ("voided_at", admin.EmptyFieldListFilter))
    list_select_related = ("patient", "treatment", "practitioner")
    search_fields = ("patient__name", "patient__email", "appointment__reference")
    autocomplete_fields = ("patient", "appointment")
    fields = (
        "appointment",
        "patient",
        "treatment",
        "practitioner",
        "performed_at",
        "notes",
        "voided_at",
        "void_reason",
    )
    readonly_fields = ("voided_at", "void_reason")
    date_hierarchy = "performed_at"
    actions = ["void"]

    def has_delete_permission(self, request, obj=None):
        return False  # void instead: the record and its history stay

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # The patient and appointment are fixed once recorded; a void record is closed.
        return self.fields if obj.is_void else (*self.readonly_fields, "appointment", "patient")

    def get_changeform_initial_data(self, request):
        """From an appointment's "Record a treatment": its patient, practitioner and time."""
        initial = super().get_changeform_initial_data(request)
        appointment = Appointment.objects.filter(pk=request.GET.get("appointment") or None).first()
        if appointment is not None:
            local = appointment.starts_at.astimezone(clinic_tz())
            initial.update(
                appointment=appointment.pk,
                patient=appointment.patient_id,
                practitioner=appointment.practitioner_id,
                performed_at=local,
            )
        return initial

    def save_model(self, request, obj, form, change):
        """Through the domain functions, so the aftercare programme starts, or is re-planned, with the record."""
        data = form.cleaned_data
        now = timezone.now()
        if change:
            treatment_records.update_treatment_record(
                record=obj,
                treatment=data["treatment"],
                practitioner=data["practitioner"],
                performed_at=data["performed_at"],
                notes=data["notes"],
                now=now,
            )
        else:
            record = treatment_records.record_treatment(
                patient=data["patient"],
                treatment=data["treatment"],
                practitioner=data["practitioner"],
                performed_at=data["performed_at"],
                notes=data["notes"],
                appointment=data.get("appointment"),
                by=request.user,
                now=now,
            )
            obj.pk = record.pk
        obj.refresh_from_db()

    @admin.action(description="Void (entered in error): stop its aftercare emails", permissions=["change"])
    def void(self, request, queryset):
        form = VoidForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            now = timezone.now()
            live = list(queryset.filter(voided_at__isnull=True))
            for record in live:
                treatment_records.void_treatment_record(record=record, reason=form.cleaned_data["reason"], now=now)
            self.message_user(
                request, f"{len(live)} treatment record(s) voided; their pending aftercare emails cancelled."
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Void treatment records",
            "form": form,
            "records": queryset.select_related("patient", "treatment"),
            "action": "void",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/clinic/treatmentrecord/void_confirmation.html", context)
