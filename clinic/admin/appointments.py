"""Appointments for reception and clinicians: the list, moving, cancelling, marking attended, details to confirm."""

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ..booking import services as booking
from ..lib import clock
from ..lib.clock import day_bounds
from ..models import (
    Appointment,
    Patient,
    Practitioner,
    Questionnaire,
)
from ..staff import field_access
from ..staff.patient_search import PhoneSearchMixin
from ..staff.site import HistoryAdminMixin
from .common import outcome


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
        today = clock.today(timezone.now())
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
        return clock.at(self.cleaned_data["day"], self.cleaned_data["time"])


def _shown(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    return value or "nothing"


def describe_slot(slot):
    local = clock.local(slot.start)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} with {slot.practitioner.name}"


@admin.register(Appointment)
class AppointmentAdmin(PhoneSearchMixin, HistoryAdminMixin):
    phone_search_field = "patient__phone"
    list_display = ("starts_at", "reference", "patient", "practitioner", "consultation_type", "status_badge")
    list_display_links = ("starts_at", "reference")
    list_filter = (WhenFilter, "practitioner", "status", "consultation_type", "details_to_confirm")
    list_select_related = ("patient", "practitioner", "consultation_type")
    search_fields = ("reference", "patient__name", "patient__email", "patient__phone")
    search_help_text = "Booking reference, or the patient's name, email or phone."
    # No date_hierarchy: its DISTINCT dates read every appointment on every view; the "when"
    # filter and the agenda's date jump are the bounded ways to a day.
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
        local = clock.local(appointment.starts_at)
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
        done = f"{len(markable)} appointment(s) marked {label}."
        self.message_user(request, outcome(done, skipped=skipped, why="cancelled"))

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
            done = f"{len(booked)} appointment(s) cancelled; each patient has been emailed."
            self.message_user(request, outcome(done, skipped=skipped, why="not booked"))
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
        done = f"Confirmation sent again for {len(booked)} appointment(s), with a fresh manage link."
        self.message_user(request, outcome(done, skipped=skipped, why="not booked"))
