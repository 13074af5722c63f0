"""Appointments for reception and clinicians: the list, moving, cancelling, marking attended, details to confirm."""

import datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from ..booking import services as booking
from ..booking import statuses
from ..lib import clock
from ..lib.clock import day_bounds
from ..models import (
    Appointment,
    Patient,
    Practitioner,
    Questionnaire,
)
from ..staff import field_access
from ..staff.patient_search import PatientSearchMixin, patient_q, reference_q
from ..staff.site import HistoryAdminMixin
from .common import outcome
from .desk_forms import CancelForm, MoveForm, describe_slot, parse_slot_choice, slot_choice


def status_badge(appointment):
    return format_html(
        '<span class="status-badge status-{}">{}</span>', appointment.status, appointment.get_status_display()
    )


class WhenFilter(admin.SimpleListFilter):
    """Upcoming (from the start of today: the list opens there), today, tomorrow, this week, or all; clinic time.

    A search or a date picked in the date hierarchy looks at every date unless a "when" is chosen too.
    """

    title = "when"
    parameter_name = "when"
    DEFAULT = "upcoming"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.value() is None and not _looks_everywhere(request):
            self.used_parameters[self.parameter_name] = self.DEFAULT

    def lookups(self, request, model_admin):
        return [
            ("upcoming", "Upcoming (from today)"),
            ("today", "Today"),
            ("tomorrow", "Tomorrow"),
            ("week", "This week"),
            ("all", "All dates, past included"),
        ]

    def choices(self, changelist):
        # No "All" of Django's own: it would mean "upcoming" here, the default. "all" is a choice above.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        today = clock.today(timezone.now())
        if self.value() == "upcoming":
            return queryset.filter(starts_at__gte=day_bounds(today)[0])
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


def _looks_everywhere(request):
    """A search, or a day from the date hierarchy: the person is looking for something, past or not."""
    return bool(request.GET.get("q")) or any(key.startswith("starts_at__") for key in request.GET)


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


def _shown(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return f"{value:%d %b %Y}"
    return value or "nothing"


@admin.register(Appointment)
class AppointmentAdmin(PatientSearchMixin, HistoryAdminMixin):
    # Status next to the time, so it shows on a 1280-pixel screen with the filters beside the list.
    list_display = ("starts_at", "status_badge", "patient", "reference", "practitioner", "consultation_type")
    list_display_links = ("starts_at", "reference")
    list_filter = (WhenFilter, "practitioner", "status", "consultation_type", "details_to_confirm")
    list_select_related = ("patient", "practitioner", "consultation_type")
    search_fields = ("reference", "patient__name", "patient__email", "patient__phone")  # the SQL: search_q
    search_help_text = "Booking reference, or the patient's name, email or phone (any format)."
    # A search or a filter says "N results (Show all)", not "(M total)": M would count every appointment.
    show_full_result_count = False
    # No date_hierarchy: its DISTINCT dates read every appointment on every view; the "when"
    # filter and the agenda's date jump are the bounded ways to a day.
    ordering = ("starts_at",)
    list_per_page = 100
    actions = ["mark_attended", "mark_no_show", "undo_marking", "cancel_with_notice", "resend_confirmation"]
    inlines = [QuestionnaireInline]
    change_form_template = "admin/clinic/appointment/change_form.html"
    change_list_template = "admin/clinic/appointment/change_list.html"
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

    def search_q(self, search_term):
        """The booking reference typed, or any appointment of a patient `patient_q` finds.

        A UNION, not an OR: PostgreSQL cannot answer `reference = … OR patient_id IN (…)` from two
        indexes and tests every appointment; each half of the union uses its own index.
        """
        patients = patient_q(search_term)
        if patients is None:
            return None
        theirs = Q(patient__in=Patient.objects.filter(patients).values("pk"))
        reference = reference_q(search_term)
        if reference is None:
            return theirs
        by_reference = Appointment.objects.filter(reference).values("pk").order_by()
        return Q(pk__in=by_reference.union(Appointment.objects.filter(theirs).values("pk").order_by()))

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
            path("<int:pk>/status/", view(self.status_view), name="clinic_appointment_status"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appointment = self.get_object(request, object_id)
        extra = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        if appointment is not None:
            now = timezone.now()
            may_change = self.has_change_permission(request, appointment)
            extra["can_move"] = appointment.can_be_moved(now=now) and may_change
            extra["can_mark"] = appointment.can_be_marked(now=now) and may_change
            extra["can_undo"] = appointment.can_undo_marking(now=now) and may_change
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

    def status_view(self, request, pk):
        """POST from the change page: mark attended, did not attend, or undo; the clock decides what is allowed."""
        appointment = get_object_or_404(Appointment, pk=pk)
        if request.method != "POST":
            return redirect("admin:clinic_appointment_change", appointment.pk)
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        choice = request.POST.get("status")
        try:
            if choice == "booked":
                statuses.undo_status(appointment=appointment, now=timezone.now())
            elif choice in Appointment.MARKED_STATUSES:
                statuses.set_status(appointment=appointment, status=choice, now=timezone.now())
            else:
                raise statuses.StatusNotAllowed("Choose attended, did not attend or undo.")
        except statuses.StatusNotAllowed as refused:
            self.message_user(request, str(refused), messages.ERROR)
        else:
            appointment.refresh_from_db()
            self.message_user(request, f"{appointment.reference} is now {appointment.get_status_display().lower()}.")
        return redirect("admin:clinic_appointment_change", appointment.pk)

    def move_view(self, request, pk):
        """Reschedule under the booking rules; the nearest free times (any practitioner) are one click each.

        A time just taken is a form error with the nearest free times; a cancelled or started appointment
        cannot move.
        """
        appointment = get_object_or_404(
            Appointment.objects.select_related("patient", "practitioner", "consultation_type"), pk=pk
        )
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        now = timezone.now()
        if not appointment.can_be_moved(now=now):
            self.message_user(request, "Only a booked appointment that has not started can be moved.", messages.ERROR)
            return redirect("admin:clinic_appointment_change", appointment.pk)
        local = clock.local(appointment.starts_at)
        initial = {"practitioner": appointment.practitioner_id, "day": local.date(), "time": local.time()}
        chosen = parse_slot_choice(request.POST.get("alternative", "")) if request.method == "POST" else None
        form = MoveForm(None if chosen else request.POST or None, appointment=appointment, initial=initial)
        search: booking.SlotSearch = {
            "consultation_type": appointment.consultation_type,
            "now": now,
            "ignore_appointment": appointment,
        }
        alternatives = booking.alternatives(search, appointment.starts_at, n=6)
        wanted = None
        if chosen:
            practitioner = Practitioner.objects.filter(pk=chosen[0]).first()
            wanted = (practitioner, chosen[1]) if practitioner else None
        elif request.method == "POST" and form.is_valid():
            wanted = (form.cleaned_data["practitioner"], form.starts_at())
        if wanted is not None:
            try:
                booking.reschedule_appointment(
                    appointment=appointment, starts_at=wanted[1], practitioner=wanted[0], now=now, by_clinic=True
                )
            except booking.SlotUnavailable as exc:
                alternatives = exc.alternatives
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
            "alternatives": [(slot_choice(slot), describe_slot(slot)) for slot in alternatives],
        }
        return TemplateResponse(request, "admin/clinic/appointment/move.html", context)

    @admin.action(description="Mark attended", permissions=["change"])
    def mark_attended(self, request, queryset):
        self._set_status(request, queryset, Appointment.Status.ATTENDED)

    @admin.action(description="Mark did not attend", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._set_status(request, queryset, Appointment.Status.NO_SHOW)

    @admin.action(description="Undo attended / did not attend (back to booked, same day only)", permissions=["change"])
    def undo_marking(self, request, queryset):
        now = timezone.now()
        undone = 0
        for appointment in queryset:
            try:
                statuses.undo_status(appointment=appointment, now=now)
            except statuses.StatusNotAllowed:
                continue
            undone += 1
        done = f"{undone} appointment(s) back to booked."
        why = "not marked, or not today's"
        self.message_user(request, outcome(done, skipped=queryset.count() - undone, why=why))

    def _set_status(self, request, queryset, status):
        # Only an appointment that has started can be marked; a cancelled one stays cancelled.
        now = timezone.now()
        markable = queryset.filter(status__in=Appointment.ACTIVE_STATUSES)
        marked = not_started = 0
        for appointment in markable:
            try:
                statuses.set_status(appointment=appointment, status=status, now=now)
            except statuses.StatusNotAllowed:
                not_started += 1
            else:
                marked += 1
        cancelled = queryset.count() - markable.count()
        label = Appointment.Status(status).label.lower()
        message = outcome(f"{marked} appointment(s) marked {label}.", skipped=not_started, why="not started yet")
        self.message_user(request, outcome(message, skipped=cancelled, why="cancelled"))

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
