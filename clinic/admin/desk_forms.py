"""The front desk's forms: finding or adding a patient, booking for them, moving, cancelling.

Forms check and normalise what staff type; the booking functions decide.
"""

import datetime
import secrets

from django import forms
from django.utils import timezone

from ..booking.forms import DetailsForm, QuestionnaireForm
from ..lib import clock
from ..models import ConsultationType, Patient, Practitioner, Questionnaire


def slot_choice(slot):
    """A free slot as one form value: practitioner and start (UTC)."""
    return f"{slot.practitioner.pk}|{slot.start.astimezone(datetime.UTC).isoformat()}"


def parse_slot_choice(value):
    """(practitioner pk, aware start) from `slot_choice`, or None when it is not one."""
    pk, _, start = value.partition("|")
    starts_at = parse_moment(start)
    if not pk.isdigit() or starts_at is None:
        return None
    return int(pk), starts_at


def parse_moment(text):
    """An aware moment within the diary from ISO text, or None (naive, malformed, or years away)."""
    try:
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is None or not clock.within_diary(moment, now=timezone.now()):
            return None
    except (ValueError, OverflowError):
        return None
    return moment


def describe_slot(slot):
    local = clock.local(slot.start)
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} with {slot.practitioner.name}"


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Find the patient",
        max_length=120,
        required=False,
        help_text="Name, email or phone number in any format.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class NewPatientForm(DetailsForm):
    """A new patient's record, with the online form's checks (phone stored as E.164)."""

    notes = None
    privacy_consent = None
    marketing_consent = None

    def __init__(self, *args, **kwargs):
        forms.Form.__init__(self, *args, **kwargs)  # DetailsForm's own __init__ labels the consent box
        self.fields["email"].help_text = "Confirmations and reminders go here."
        self.fields["phone"].help_text = "Any format; it is stored in international form."

    def clean_email(self):
        email = super().clean_email()
        if Patient.objects.filter(email__iexact=email, erased_at__isnull=True).exists():
            raise forms.ValidationError("A patient with this email address already exists: find them above.")
        return email


class AppointmentChoiceForm(forms.Form):
    """What to book, with whom, on which day: a GET form that lists that day's free times."""

    type = forms.ModelChoiceField(
        queryset=ConsultationType.objects.all(), label="Consultation", empty_label=None, to_field_name="slug"
    )
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.filter(active=True), empty_label=None)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not clock.within_diary(day, now=timezone.now()):
            raise forms.ValidationError("Choose a day within the diary.")
        return day


class DeskBookingForm(forms.Form):
    """The time (one of the day's free slots), the six questions as online, and whether to email the patient."""

    # Any well-formed time is accepted here: the one chosen may have been taken since the page was drawn,
    # and the booking function then answers with the nearest free times.
    slot = forms.CharField(widget=forms.RadioSelect, label="Time", error_messages={"required": "Choose a time."})
    notify = forms.BooleanField(
        required=False,
        initial=True,
        label="Email the patient a confirmation (and a reminder before the appointment)",
    )
    privacy_told = forms.BooleanField(
        label="The patient has been told how the clinic keeps their details (the privacy notice)",
        error_messages={"required": "Tell the patient about the privacy notice before booking."},
    )
    idempotency_key = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)

    def __init__(self, *args, slots, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", secrets.token_urlsafe(24))
        super().__init__(*args, **kwargs)
        self.set_slots(slots)
        self.fields.update(QuestionnaireForm().fields)  # the online booking's questions, the same choices

    def set_slots(self, slots):
        self.fields["slot"].widget.choices = [(slot_choice(s), f"{clock.local(s.start):%H:%M}") for s in slots]

    def clean_slot(self):
        if parse_slot_choice(self.cleaned_data["slot"]) is None:
            raise forms.ValidationError("Choose a time.")
        return self.cleaned_data["slot"]

    def questions(self):
        return [self[name] for name in Questionnaire.QUESTIONS]

    def answers(self):
        return {name: self.cleaned_data[name] for name in Questionnaire.QUESTIONS}

    def chosen(self):
        return parse_slot_choice(self.cleaned_data["slot"])


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
