"""The waiting list for staff: who waits for what, since when, and the offers made to them; reception adds patients."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from ..models import TimeOfDay, WaitlistEntry, WaitlistOffer
from ..waitlist import offering
from ..waitlist import services as waitlist
from ..waitlist.forms import WEEKDAY_CHOICES
from .common import outcome

OfferStatus = WaitlistOffer.Status


class WaitlistEntryForm(forms.ModelForm):
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple, label="Days that suit"
    )
    times_of_day = forms.MultipleChoiceField(
        choices=TimeOfDay.choices, widget=forms.CheckboxSelectMultiple, label="Times of day that suit"
    )

    class Meta:
        model = WaitlistEntry
        fields = ("patient", "consultation_type", "practitioner", "weekdays", "times_of_day", "latest_date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entry = self.instance
        self.initial["weekdays"] = sorted(str(d) for d in entry.weekday_numbers)
        self.initial["times_of_day"] = sorted(entry.time_parts)

    # Stored as the model keeps them ("01234", "afternoon,morning"), so the model's own checks pass.
    def clean_weekdays(self):
        return "".join(sorted(self.cleaned_data["weekdays"]))

    def clean_times_of_day(self):
        return ",".join(sorted(self.cleaned_data["times_of_day"]))

    def wishes(self):
        data = self.cleaned_data
        return waitlist.Wishes(
            consultation_type=data["consultation_type"],
            practitioner=data["practitioner"],
            weekdays=[int(d) for d in data["weekdays"]],
            times_of_day=data["times_of_day"].split(","),
            latest_date=data["latest_date"],
        )


class OfferInline(admin.TabularInline):
    model = WaitlistOffer
    fields = ("starts_at", "practitioner", "offered_at", "expires_at", "status", "answered_at", "appointment")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    form = WaitlistEntryForm
    list_display = (
        "patient",
        "consultation_type",
        "practitioner",
        "joined_at",
        "latest_date",
        "status",
        "offers_made",
        "offers_accepted",
        "offers_expired",
    )
    list_filter = ("status", "consultation_type", "practitioner", "joined_at", "source")
    list_select_related = ("patient", "consultation_type", "practitioner")
    search_fields = ("patient__name", "patient__email")
    search_help_text = "Patient's name or email."
    date_hierarchy = "joined_at"
    autocomplete_fields = ("patient",)
    inlines = (OfferInline,)
    actions = ("remove_from_list",)
    readonly_fields = ("status", "source", "joined_at", "ended_at", "added_by")
    list_per_page = 100

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                made=Count("offers"),
                accepted=Count("offers", filter=Q(offers__status=OfferStatus.ACCEPTED)),
                expired=Count("offers", filter=Q(offers__status=OfferStatus.EXPIRED)),
            )
        )

    def get_fields(self, request, obj=None):
        fields = list(WaitlistEntryForm.Meta.fields)
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.status != WaitlistEntry.Status.WAITING:
            return [*WaitlistEntryForm.Meta.fields, *self.readonly_fields]
        return ("patient", *self.readonly_fields)

    def has_delete_permission(self, request, obj=None):
        return False  # remove instead (a status); erasure deletes

    def save_model(self, request, obj, form, change):
        """Through the waiting-list service: a new place gets its confirmation email with the link."""
        if change and obj.status != WaitlistEntry.Status.WAITING:
            return  # read-only once the patient stopped waiting
        if change:
            waitlist.change(entry=obj, wishes=form.wishes(), now=timezone.now())
        else:
            entry = waitlist.join(
                wishes=form.wishes(), patient=form.cleaned_data["patient"], added_by=request.user, now=timezone.now()
            )
            obj.pk = entry.pk

    @admin.display(description="Offers made", ordering="made")
    def offers_made(self, entry):
        return entry.made

    @admin.display(description="Accepted", ordering="accepted")
    def offers_accepted(self, entry):
        return entry.accepted

    @admin.display(description="Expired", ordering="expired")
    def offers_expired(self, entry):
        return entry.expired

    @admin.action(description="Remove from the waiting list", permissions=["change"])
    def remove_from_list(self, request, queryset):
        waiting = [e for e in queryset if e.status == WaitlistEntry.Status.WAITING]
        for entry in waiting:
            waitlist.leave(entry=entry, now=timezone.now(), status=WaitlistEntry.Status.REMOVED)
        skipped = queryset.count() - len(waiting)
        self.message_user(
            request, outcome(f"{len(waiting)} removed from the list.", skipped=skipped, why="were not waiting")
        )


def dashboard_panel(request, *, now):
    """The dashboard's waiting-list figures, for those who may see the list (else nothing)."""
    if not request.user.has_perm("clinic.view_waitlistentry"):
        return {}
    figures = offering.figures(now=now)
    return {"waitlist": {**figures, "url": reverse("admin:clinic_waitlistentry_changelist") + "?status__exact=waiting"}}
