"""Booking forms: they check and normalise input; the booking functions decide."""

import datetime

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from ..lib import clock
from ..lib.addresses import MESSAGE as ADDRESS_MESSAGE
from ..lib.addresses import clean_address, invisible_or_control
from ..lib.form_helper import drawn_fields_helper
from ..lib.phones import INVALID_MESSAGE as PHONE_MESSAGE
from ..lib.phones import InvalidPhone, normalise_phone
from ..models import ConsultationType, Practitioner, Questionnaire

NO_PREFERENCE = "any"
NOTES_LIMIT = 2000
DATE_EXAMPLE = "for example 31 3 1980"
# Line breaks and tabs are fine in free text; a zero-width joiner holds emoji together.
FREE_TEXT_ALLOWED = {"\n", "\r", "\t", "\u200d"}


def reject_unsafe_characters(value, *, allow_newlines=False):
    """Refuse control, invisible and bidi-override characters (CR/LF could smuggle email headers)."""
    text = "".join(char for char in value if char not in FREE_TEXT_ALLOWED) if allow_newlines else value
    if invisible_or_control(text):
        raise forms.ValidationError("Please remove the special characters from this answer.")
    return value


class ConsultationTypeChoice(forms.ModelChoiceField):
    def label_from_instance(self, kind):
        price = f", £{kind.price}" if kind.price is not None else ""
        return f"{kind.name} ({kind.duration_minutes} minutes{price})"


def _practitioner_choices() -> list[tuple[str, str]]:
    return [(NO_PREFERENCE, "No preference (first available)")] + [
        (str(p.pk), str(p)) for p in Practitioner.objects.filter(active=True)
    ]


class PractitionerChoiceField(forms.ChoiceField):
    """A practitioner's id, or no preference; which ids are bookable the form's `clean` checks, with the type."""

    def valid_value(self, value):
        return value == NO_PREFERENCE or (value.isdigit() and len(value) <= 9)


class ChooseConsultationForm(forms.Form):
    consultation_type = ConsultationTypeChoice(
        queryset=ConsultationType.objects.filter(bookable_online=True),
        to_field_name="slug",
        widget=forms.RadioSelect,
        empty_label=None,
        label="What would you like to book?",
        error_messages={
            "required": "Choose a consultation type",
            "invalid_choice": "Choose one of the consultation types listed",
        },
    )
    practitioner = PractitionerChoiceField(
        widget=forms.RadioSelect,
        label="Who would you like to see?",
        error_messages={
            "required": "Choose who you would like to see, or no preference",
            "invalid_choice": "Choose one of the practitioners listed, or no preference",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A callable: the practitioners are read when the form is shown, not when it is only checked.
        self.fields["practitioner"].choices = _practitioner_choices
        self.fields["practitioner"].initial = NO_PREFERENCE
        self.helper = drawn_fields_helper(self)

    def clean(self):
        data = super().clean()
        chosen, kind = data.get("practitioner"), data.get("consultation_type")
        data["practitioner_obj"] = None
        if not chosen or chosen == NO_PREFERENCE:
            return data
        active = Practitioner.objects.filter(pk=chosen, active=True)
        practitioner = active.filter(consultation_types=kind).first() if kind else None
        if practitioner is None and not active.exists():  # a second query only for a refused choice
            self.add_error("practitioner", self.fields["practitioner"].error_messages["invalid_choice"])
        elif practitioner is None and kind:
            message = f"That practitioner does not offer {kind.name.lower()}: choose another, or no preference"
            self.add_error("practitioner", message)
        data["practitioner_obj"] = practitioner
        return data


class SlotForm(forms.Form):
    # Where the error summary's link goes: the times (the picker gives its radios their own ids).
    error_anchors = {"slot": "slot-times"}
    slot = forms.DateTimeField(
        widget=forms.RadioSelect,
        input_formats=["%Y-%m-%dT%H:%M:%S%z"],
        error_messages={"required": "Choose a time", "invalid": "Choose one of the times listed"},
    )


class DetailsForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="Full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name", "max_length": "Enter a name of 120 characters or fewer"},
    )
    email = forms.EmailField(
        max_length=254,
        label="Email address",
        help_text="We send your confirmation and any changes here.",
        error_messages={
            "required": "Enter your email address, for example name@example.com",
            "invalid": ADDRESS_MESSAGE,
            "max_length": ADDRESS_MESSAGE,
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        max_length=30,
        label="Phone number",
        help_text="In case we need to reach you about your appointment.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        error_messages={
            "required": "Enter your phone number, for example 07911 123456",
            "max_length": "Enter a phone number of 30 characters or fewer",
        },
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        help_text="For example 31 3 1980 (day, month, year).",
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"Enter your date of birth, {DATE_EXAMPLE}",
            "invalid": f"Enter your date of birth as a real date, {DATE_EXAMPLE}",
        },
    )
    # No max_length here: its maxlength attribute made browsers cut a long note silently. The limit
    # is stated in the hint, counted as the patient types (static/js/char_count.js), and checked below.
    notes = forms.CharField(
        required=False,
        label="Anything you would like us to know (optional)",
        help_text=f"Up to {NOTES_LIMIT:,} characters.",
        widget=forms.Textarea(attrs={"rows": 3, "data-limit": NOTES_LIMIT}),
    )
    privacy_consent = forms.BooleanField(
        error_messages={"required": "Tick the box to agree to the privacy notice, so we can book your appointment"},
    )
    marketing_consent = forms.BooleanField(
        required=False, label="Send me occasional news from the clinic (you can stop these at any time)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["privacy_consent"].label = format_html(
            'I have read the <a href="{}">privacy notice</a> and agree to {} keeping my details to arrange my care.',
            reverse("privacy"),
            settings.CLINIC_NAME,
        )
        self.helper = drawn_fields_helper(self)

    def clean_name(self):
        name = reject_unsafe_characters(self.cleaned_data["name"]).strip()
        if not name:
            raise forms.ValidationError("Please enter your name.")
        return name

    def clean_email(self):
        return clean_address(reject_unsafe_characters(self.cleaned_data["email"]))

    def clean_phone(self):
        try:
            return normalise_phone(reject_unsafe_characters(self.cleaned_data["phone"]))
        except InvalidPhone:
            raise forms.ValidationError(PHONE_MESSAGE) from None

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = clock.today(timezone.now())
        if born > today:
            raise forms.ValidationError("Your date of birth cannot be in the future.")
        if born < today - datetime.timedelta(days=int(365.25 * 120)):
            raise forms.ValidationError("Please check the year of your date of birth.")
        return born

    def clean_notes(self):
        notes = reject_unsafe_characters(self.cleaned_data["notes"], allow_newlines=True).strip()
        if len(notes) > NOTES_LIMIT:
            raise forms.ValidationError(
                f"Your note is {len(notes):,} characters long: shorten it to {NOTES_LIMIT:,} characters or fewer"
                " (you can tell us more at your consultation)"
            )
        return notes


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = Questionnaire.QUESTIONS
        widgets = {name: forms.RadioSelect for name in Questionnaire.QUESTIONS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.choices = [c for c in field.choices if c[0]]  # no empty "-----" choice
            field.error_messages["required"] = f"Answer the question “{field.label}”: choose yes, no or not sure"
        self.helper = drawn_fields_helper(self)


class ConfirmForm(forms.Form):
    idempotency_key = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput)
