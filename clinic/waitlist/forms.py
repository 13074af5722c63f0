"""Waiting-list forms: what would suit the patient, and (online) their details as in booking."""

import datetime

from django import forms
from django.utils import timezone

from ..booking.forms import NO_PREFERENCE, ConsultationTypeChoice, DetailsForm
from ..booking.schedule import booking_rules
from ..lib import clock
from ..models import ConsultationType, Practitioner, TimeOfDay, WaitlistEntry
from ..models.waitlist import WEEKDAY_NAMES
from .services import Wishes

WEEKDAY_CHOICES = [(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)]
# The furthest ahead a patient may say they could still come.
LATEST_DATE_REACH = datetime.timedelta(days=366)


class WishesForm(forms.Form):
    consultation_type = ConsultationTypeChoice(
        queryset=ConsultationType.objects.filter(bookable_online=True),
        to_field_name="slug",
        widget=forms.RadioSelect,
        empty_label=None,
        label="What are you waiting for?",
    )
    practitioner = forms.ChoiceField(widget=forms.RadioSelect, label="Who would you like to see?")
    weekdays = forms.MultipleChoiceField(
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        label="Which days could you come?",
        error_messages={"required": "Choose at least one day."},
    )
    times_of_day = forms.MultipleChoiceField(
        choices=TimeOfDay.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Which times of day suit you?",
        help_text="By the time the appointment starts, in the clinic's local time.",
        error_messages={"required": "Choose at least one time of day."},
    )
    latest_date = forms.DateField(
        label="The last day you could come",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="We take you off the list after this day.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [(NO_PREFERENCE, "No preference (whoever is free)")] + [
            (str(p.pk), str(p)) for p in Practitioner.objects.filter(active=True)
        ]
        self.fields["practitioner"].initial = NO_PREFERENCE
        self.fields["weekdays"].initial = ["0", "1", "2", "3", "4"]
        self.fields["times_of_day"].initial = list(TimeOfDay.values)
        today = clock.today(timezone.now())
        self.fields["latest_date"].initial = today + datetime.timedelta(days=booking_rules().horizon_days)

    def clean_latest_date(self):
        latest = self.cleaned_data["latest_date"]
        today = clock.today(timezone.now())
        if latest < today:
            raise forms.ValidationError("Choose a day from today on.")
        if latest > today + LATEST_DATE_REACH:
            raise forms.ValidationError("Choose a day within the next year.")
        return latest

    def clean(self):
        data = super().clean()
        chosen, kind = data.get("practitioner"), data.get("consultation_type")
        data["practitioner_obj"] = None
        if chosen and chosen != NO_PREFERENCE and kind:
            practitioner = Practitioner.objects.filter(pk=chosen, active=True, consultation_types=kind).first()
            if practitioner is None:
                raise forms.ValidationError(
                    f"That practitioner does not offer {kind.name.lower()}: please choose another."
                )
            data["practitioner_obj"] = practitioner
        return data

    def wishes(self) -> Wishes:
        data = self.cleaned_data
        return Wishes(
            consultation_type=data["consultation_type"],
            practitioner=data["practitioner_obj"],
            weekdays=[int(d) for d in data["weekdays"]],
            times_of_day=data["times_of_day"],
            latest_date=data["latest_date"],
        )

    @classmethod
    def initial_for(cls, entry: WaitlistEntry) -> dict:
        return {
            "consultation_type": entry.consultation_type.slug,
            "practitioner": str(entry.practitioner_id) if entry.practitioner_id else NO_PREFERENCE,
            "weekdays": sorted(str(d) for d in entry.weekday_numbers),
            "times_of_day": sorted(entry.time_parts),
            "latest_date": entry.latest_date,
        }


class WaitlistDetailsForm(DetailsForm):
    """The booking's details and consent, without the booking's notes."""

    notes = None  # type: ignore[assignment]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "We email you here when a time frees up."
        self.fields["phone"].help_text = "In case we need to reach you about your place."
        self.fields["privacy_consent"].error_messages["required"] = (
            "Please agree to the privacy notice so we can keep your place on the waiting list."
        )
