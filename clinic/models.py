"""The clinic's records: practitioners and their schedules, patients, appointments, the email outbox."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .addresses import validate_address

# --- Schedules ---------------------------------------------------------------


class ConsultationType(models.Model):
    """A kind of consultation patients can book: how long it takes and what it is for."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True, help_text="Shown to patients when they choose. Plain text.")
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)], help_text="Length of the consultation itself."
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(120)],
        help_text="Time the practitioner keeps free afterwards (notes, cleaning). Patients do not see it.",
    )
    price = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True, help_text="Leave empty to hide.")
    treatments = models.ManyToManyField(
        "treatments.TreatmentPage",
        blank=True,
        related_name="consultation_types",
        help_text="Treatment pages whose 'Book a consultation' button chooses this type.",
    )
    bookable_online = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def duration(self):
        return datetime.timedelta(minutes=self.duration_minutes)

    @property
    def buffer(self):
        return datetime.timedelta(minutes=self.buffer_minutes)


class Practitioner(models.Model):
    name = models.CharField(max_length=120)
    title = models.CharField(max_length=120, blank=True, help_text="For example 'Consultant dermatologist'.")
    bio = models.TextField("Short biography", blank=True)
    active = models.BooleanField(default=True, help_text="Inactive practitioners cannot be booked.")
    consultation_types = models.ManyToManyField(ConsultationType, related_name="practitioners", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, help_text="Their staff login."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.title}" if self.title else self.name


class WorkingHours(models.Model):
    """One interval of a practitioner's week; several a day make breaks."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["practitioner", "weekday", "start"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(name="working_hours_end_after_start", condition=Q(end__gt=models.F("start")))
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "The end must be after the start."})


class Closure(models.Model):
    """Time nobody (or one practitioner) can be booked: holidays, training, leave."""

    practitioner = models.ForeignKey(
        Practitioner,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="closures",
        help_text="Leave empty to close the whole clinic.",
    )
    first_day = models.DateField()
    last_day = models.DateField(blank=True, null=True, help_text="Leave empty for a single day.")
    start_time = models.TimeField(null=True, blank=True, help_text="Leave both times empty for whole days.")
    end_time = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["first_day", "start_time"]

    def __str__(self):
        return f"{self.reason} ({self.first_day:%d %b %Y})"

    def clean(self):
        if self.last_day and self.first_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day cannot be before the first day."})
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError("Give both a start and an end time, or neither for whole days.")
        if self.start_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": "The end must be after the start."})

    @property
    def end_day(self):
        return self.last_day or self.first_day


# --- Patients and appointments ----------------------------------------------


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

    def __str__(self):
        return self.name


def new_reference():
    """A short booking reference, unguessable (about 50 bits), easy to read out on the phone."""
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
    return "".join(secrets.choice(alphabet) for _ in range(10))


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        """Appointments that hold their time (not cancelled)."""
        return self.filter(status__in=Appointment.ACTIVE_STATUSES)

    def overlapping(self, practitioner, start, end):
        return self.active().filter(practitioner=practitioner, starts_at__lt=end, blocks_until__gt=start)


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
    history = HistoricalRecords()

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        permissions = [("view_questionnaire", "Can see pre-consultation answers")]
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

    def clean(self):
        if self.practitioner_id and self.starts_at and self.blocks_until and self.is_active:
            clash = Appointment.objects.overlapping(self.practitioner_id, self.starts_at, self.blocks_until)
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError("That time overlaps another appointment for this practitioner.")


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


# --- Treatments performed --------------------------------------------------


class TreatmentRecord(models.Model):
    """A treatment a clinician performed: starts that treatment's aftercare programme."""

    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="treatment_records"
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatment_records")
    treatment = models.ForeignKey("treatments.TreatmentPage", on_delete=models.PROTECT, related_name="records")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="treatment_records")
    performed_at = models.DateTimeField()
    notes = models.TextField("Clinical notes", blank=True, help_text="Seen by clinicians only.")
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_at"]

    def __str__(self):
        return f"{self.treatment} on {self.performed_at:%d %b %Y}"

    @property
    def is_void(self):
        return self.voided_at is not None


# --- Email outbox -----------------------------------------------------------


class OutboxQuerySet(models.QuerySet):
    def due(self, now):
        """Pending rows whose time to send (or to try again) has come."""
        return self.filter(status=Outbox.Status.PENDING, next_attempt_at__lte=now)

    def unleased(self, now):
        """Rows no sender or dispatcher is holding at `now`."""
        return self.filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))


class Outbox(models.Model):
    """One email, stored in the same transaction as the change that causes it, then sent by a worker."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Category(models.TextChoices):
        # Essential mail (bookings, staff alerts) has no unsubscribe link; the others do.
        ESSENTIAL = "essential", "Essential"
        AFTERCARE = "aftercare", "Aftercare tips"
        MARKETING = "marketing", "News and offers"

    recipient = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="Files sent with the email, e.g. a calendar invitation."
    )
    kind = models.CharField(max_length=50, help_text="Which email this is, e.g. booking_confirmation.")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.ESSENTIAL)
    cause = models.CharField(max_length=100, blank=True, help_text="What caused it, e.g. appointment:42.")
    idempotency_key = models.CharField(
        max_length=255, unique=True, help_text="Queueing the same key twice stores one email."
    )
    send_after = models.DateTimeField(help_text="Not sent before this time.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="When it is next due: the send time, or a retry after a failure.")
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A dispatcher or sender holds the row until then; after it, others may."
    )
    last_error = models.CharField(
        max_length=200, blank=True, help_text="The SMTP code and error type, or why it was cancelled."
    )
    message_id = models.CharField(max_length=255, unique=True, help_text="The same on every attempt.")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = "outbox email"
        verbose_name_plural = "outbox"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["cause"], name="outbox_cause"),
            models.Index(fields=["recipient"], name="outbox_recipient"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.kind} ({self.status})"


class EmailOptOut(models.Model):
    """An address that unsubscribed from one category of non-essential mail.

    Only the SHA-256 of the lower-cased address is kept: enough to honour the request.
    """

    address_hash = models.CharField(max_length=64)
    category = models.CharField(max_length=20, choices=Outbox.Category.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["address_hash", "category"], name="optout_once")]

    def __str__(self):
        return f"opt-out from {self.category}"


class UnsubscribeLink(models.Model):
    """A one-click unsubscribe link sent in one email; only the token's SHA-256 is stored."""

    outbox = models.ForeignKey(Outbox, on_delete=models.CASCADE, related_name="unsubscribe_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self):
        return f"unsubscribe link for #{self.outbox_id}"
