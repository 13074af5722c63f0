"""Treatment records (which start aftercare) and the check-ins patients send back, worries first."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..aftercare import concerns
from ..aftercare import services as aftercare
from ..lib import clock
from ..models import (
    AftercareCheckIn,
    Appointment,
    TreatmentRecord,
)
from ..staff.site import HistoryAdminMixin
from .common import outcome


class TreatmentRecordForm(forms.ModelForm):
    """A treatment is recorded once it has been done: never at a time still to come."""

    def clean_performed_at(self):
        performed_at = self.cleaned_data["performed_at"]
        if performed_at and performed_at > timezone.now():
            local = clock.local(performed_at)
            raise forms.ValidationError(
                f"A treatment cannot be recorded before it has happened ({local:%d %b %Y %H:%M} is still to come)."
            )
        return performed_at


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=200, label="Why is it void?", help_text="For example 'entered in error'.")


@admin.register(TreatmentRecord)
class TreatmentRecordAdmin(HistoryAdminMixin):
    form = TreatmentRecordForm
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
            local = clock.local(appointment.starts_at)
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
            aftercare.update_treatment_record(
                record=obj,
                treatment=data["treatment"],
                practitioner=data["practitioner"],
                performed_at=data["performed_at"],
                notes=data["notes"],
                now=now,
            )
        else:
            record = aftercare.record_treatment(
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
                aftercare.void_treatment_record(record=record, reason=form.cleaned_data["reason"], now=now)
            done = f"{len(live)} treatment record(s) voided; their pending aftercare emails cancelled."
            self.message_user(request, outcome(done, skipped=queryset.count() - len(live), why="already void"))
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


@admin.register(AftercareCheckIn)
class AftercareCheckInAdmin(admin.ModelAdmin):
    """Clinicians: what patients said from their aftercare emails; a worry waits until someone marks it handled.

    A worry's own page (the link in the clinicians' alert) takes a note of what was done and
    records who handled it and when. Reception, who may not read it, are sent to the call-back list.
    """

    list_display = ["created_at", "feeling", "patient", "phone", "treatment", "day", "handled_at"]
    list_filter = ["feeling", ("handled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["record__patient", "record__treatment", "step"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "feeling",
        "message",
        "patient",
        "phone",
        "treatment_record",
        "day",
        "realerted_at",
        "handled_at",
        "handled_by",
        "handled_note",
    ]
    readonly_fields = fields
    actions = ["mark_handled"]
    change_form_template = "admin/clinic/aftercarecheckin/change_form.html"

    def _may_see_concerns(self, request):
        return request.user.has_perm("clinic.view_concern")

    def has_module_permission(self, request):
        return self._may_see_concerns(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._may_see_concerns(request) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_see_concerns(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return False  # only patients make check-ins

    def has_delete_permission(self, request, obj=None):
        return False  # part of the clinical record

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.feeling == AftercareCheckIn.Feeling.WORRIED and obj.handled_at is None:
            return [name for name in self.fields if name != "handled_note"]
        return self.fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self._may_see_concerns(request) and request.user.has_perm("clinic.view_callbacks"):
            # The desk follows the same alert link: what they may see is who is waiting for a call.
            return redirect("admin:callbacks")
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """Saving a worry's page marks it handled, with the note, through the concerns function."""
        if "handled_note" in form.cleaned_data:  # only an open worry's page has the field
            note = form.cleaned_data["handled_note"]
            concerns.mark_handled(concern=obj, by=request.user, note=note, now=timezone.now())
        obj.refresh_from_db()

    def construct_change_message(self, request, form, formsets, add=False):
        return "Marked as handled" if "handled_note" in form.cleaned_data else ""

    @admin.display(ordering="record__patient__name")
    def patient(self, check_in):
        return check_in.record.patient.name

    @admin.display(description="Phone")
    def phone(self, check_in):
        return check_in.record.patient.phone

    @admin.display(ordering="record__treatment__title")
    def treatment(self, check_in):
        return check_in.record.treatment.title

    @admin.display(description="From the email of day")
    def day(self, check_in):
        return check_in.step.day_offset if check_in.step else "–"

    @admin.display(description="Treatment record")
    def treatment_record(self, check_in):
        record = check_in.record
        try:
            url = reverse("admin:clinic_treatmentrecord_change", args=[record.pk])
        except NoReverseMatch:
            return str(record)
        return format_html('<a href="{}">{}</a>', url, record)

    @admin.action(description="Mark as handled", permissions=["change"])
    def mark_handled(self, request, queryset):
        now = timezone.now()
        count = sum(
            concerns.mark_handled(concern=concern, by=request.user, note="", now=now)
            for concern in queryset.filter(handled_at__isnull=True)
        )
        done = f"{count} check-in(s) marked as handled."
        self.message_user(request, outcome(done, skipped=queryset.count() - count, why="already handled"))
