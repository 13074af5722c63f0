"""Patients, their appointments, the links that manage them, and pre-consultation answers."""

import datetime
import secrets

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..lib import clock
from ..lib.addresses import validate_address
from .schedules import ConsultationType, Practitioner


class Patient(models.Model):
    """A person who books. Matched by email when they come back."""

    name = models.CharField(max_length=120)
    email = models.EmailField(db_index=True, validators=[validate_address])
    phone = models.CharField(max_length=20, help_text="International format, e.g. +441234567890.")
    date_of_birth = models.DateField(null=True, blank=True)
    marketing_consent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        # A whole phone number typed in a search box is matched exactly (clinic/staff/patient_search.py).
        indexes = [models.Index(fields=["phone"], name="clinic_patient_phone")]

    def __str__(self):
        return self.name


def new_reference():
    """A short booking reference, unguessable (about 50 bits), easy to read out on the phone."""
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
    return "".join(secrets.choice(alphabet) for _ in range(10))


# Longer than any appointment can hold a diary (a type is at most 480 minutes plus a 120-minute
# buffer): what lets a range query start from an index instead of reading all history.
MAX_BLOCK = datetime.timedelta(days=1)


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        """Appointments that hold their time (not cancelled)."""
        return self.filter(status__in=Appointment.ACTIVE_STATUSES)

    def overlapping(self, start, end):
        """Appointments whose blocked time meets [start, end).

        Bounded on the indexed start time from both sides, so the cost follows the window, not
        years of history (`blocks_until > start` alone has no index to start from).
        """
        return self.filter(starts_at__lt=end, starts_at__gt=start - MAX_BLOCK, blocks_until__gt=start)


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED_BY_PATIENT = "cancelled_patient", "Cancelled by patient"
        CANCELLED_BY_CLINIC = "cancelled_clinic", "Cancelled by clinic"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not attend"

    # Statuses that hold the practitioner's time (the no-double-booking constraints use these).
    ACTIVE_STATUSES = (Status.BOOKED, Status.ATTENDED, Status.NO_SHOW)

    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="appointments")
    consultation_type = models.ForeignKey(ConsultationType, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(help_text="End of the consultation, worked out from its type.")
    blocks_until = models.DateTimeField(
        help_text="End plus the practitioner's buffer: no one else can be booked before."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.BOOKED, db_index=True)
    notes = models.TextField("Patient's notes", blank=True)
    # What the person booking typed. A booking proves nothing about who owns an email address, so
    # details that differ from the patient's record wait here for staff to confirm, never overwrite it.
    given_name = models.CharField("Name given at booking", max_length=120, blank=True)
    given_phone = models.CharField("Phone given at booking", max_length=20, blank=True)
    given_date_of_birth = models.DateField("Date of birth given at booking", null=True, blank=True)
    given_marketing_consent = models.BooleanField("News and offers asked for at booking", default=False)
    details_to_confirm = models.BooleanField(
        default=False, help_text="The details given at booking differ from the patient's record."
    )
    privacy_notice_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The calendar event's SEQUENCE: raised by every move and by the cancellation (clinic/booking/ics.py).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        permissions = [
            ("view_questionnaire", "Can see pre-consultation answers"),
            ("override_booking_rules", "Can book inside the minimum notice or beyond the online horizon"),
        ]
        constraints = [
            # SQLite's guard (PostgreSQL also has an exclusion constraint on the whole interval).
            models.UniqueConstraint(
                fields=["practitioner", "starts_at"],
                condition=Q(status__in=["booked", "attended", "no_show"]),
                name="appointment_one_active_per_practitioner_start",
            ),
            models.CheckConstraint(name="appointment_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(
                name="appointment_blocks_until_end_or_later", condition=Q(blocks_until__gte=models.F("ends_at"))
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    # Statuses the desk sets once the appointment has started, and may take back the same clinic day.
    MARKED_STATUSES = (Status.ATTENDED, Status.NO_SHOW)

    def can_be_moved(self, *, now):
        """Only a booked appointment that has not started yet can move."""
        return self.status == self.Status.BOOKED and self.starts_at > now

    def can_be_marked(self, *, now):
        """Attended or did-not-attend: once it has started, and not if cancelled."""
        return self.is_active and self.starts_at <= now

    def can_undo_marking(self, *, now):
        """Back to booked: on the clinic day of the appointment only."""
        return self.status in self.MARKED_STATUSES and clock.today(now) == clock.today(self.starts_at)

    GIVEN_DETAILS = (
        ("name", "given_name"),
        ("phone", "given_phone"),
        ("date_of_birth", "given_date_of_birth"),
        ("marketing_consent", "given_marketing_consent"),
    )

    def given_details_differences(self):
        """(field, on the record, given at booking) for each detail the booking gave differently."""
        return [
            (field, getattr(self.patient, field), getattr(self, given))
            for field, given in self.GIVEN_DETAILS
            if getattr(self, given) not in (None, "") and getattr(self.patient, field) != getattr(self, given)
        ]


class ManageLink(models.Model):
    """A manage-my-booking link in one email; only its token's SHA-256 is kept.

    The token is made when the email is sent, so no stored email body holds a working link.
    Links die when the appointment starts, is cancelled or is moved (they are deleted then).
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="manage_links")
    outbox = models.ForeignKey("Outbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self):
        return f"manage link for {self.appointment_id}"


class Questionnaire(models.Model):
    """Pre-consultation answers: seen by clinicians only."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_SURE = "not_sure", "Not sure"

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="questionnaire")
    cold_sores = models.CharField("Do you get cold sores?", max_length=10, choices=Answer.choices)
    isotretinoin = models.CharField(
        "Have you taken isotretinoin (for example Roaccutane) in the last 12 months?",
        max_length=10,
        choices=Answer.choices,
    )
    pregnant = models.CharField(
        "Are you pregnant, or could you be, or are you breastfeeding?", max_length=10, choices=Answer.choices
    )
    keloid_scars = models.CharField(
        "Have you ever had keloid or raised, thick scars?", max_length=10, choices=Answer.choices
    )
    blood_thinners = models.CharField(
        "Do you take medicine that thins the blood (for example warfarin, apixaban, aspirin or clopidogrel)?",
        max_length=10,
        choices=Answer.choices,
    )
    anaesthetic_allergy = models.CharField(
        "Have you ever reacted badly to a local anaesthetic?", max_length=10, choices=Answer.choices
    )

    QUESTIONS = ("cold_sores", "isotretinoin", "pregnant", "keloid_scars", "blood_thinners", "anaesthetic_allergy")

    def __str__(self):
        return f"Answers for {self.appointment.reference}"
