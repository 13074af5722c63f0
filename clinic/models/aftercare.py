"""Treatments performed and what follows them: aftercare emails sent, patients' links and check-ins."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .appointments import Appointment, Patient
from .schedules import Practitioner


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


class AftercareDelivery(models.Model):
    """One aftercare email of one treatment record: when it is due, its outbox row, which version went out."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.CASCADE, related_name="aftercare_deliveries")
    step = models.ForeignKey(
        "treatments.AftercareStep", null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    day_offset = models.PositiveSmallIntegerField(help_text="The step's day when it was scheduled.")
    due_at = models.DateTimeField(help_text="The step's local send time on its day.")
    outbox = models.OneToOneField(
        "clinic.Outbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="aftercare_delivery"
    )
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The step's version in the email as it was last handed to the mail server."
    )
    rendered_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(
        null=True, blank=True, help_text="When the email was held back at sending (no valid clinical sign-off)."
    )
    held_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["record", "day_offset"]
        constraints = [models.UniqueConstraint(fields=["record", "step"], name="one_aftercare_delivery_per_step")]

    def __str__(self):
        return f"aftercare day {self.day_offset} for record {self.record_id}"


class AftercareLink(models.Model):
    """A patient link in one aftercare email (the aftercare page and its check-in); only the token's SHA-256 is kept."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.CASCADE, related_name="aftercare_links")
    step = models.ForeignKey(
        "treatments.AftercareStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="Two weeks after the programme's last email.")

    def __str__(self):
        return f"aftercare link for record {self.record_id}"


class CheckInQuerySet(models.QuerySet):
    def concerns(self):
        return self.filter(feeling="worried")

    def open_concerns(self):
        """Worries nobody has marked handled yet: the patient is waiting for a clinical call-back."""
        return self.concerns().filter(handled_at__isnull=True)


class AftercareCheckIn(models.Model):
    """A patient's answer from an aftercare email: healing as expected, or worried."""

    class Feeling(models.TextChoices):
        OK = "ok", "Healing as expected"
        WORRIED = "worried", "Worried about something"

    record = models.ForeignKey(TreatmentRecord, on_delete=models.CASCADE, related_name="check_ins")
    step = models.ForeignKey(
        "treatments.AftercareStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feeling = models.CharField(max_length=10, choices=Feeling.choices)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_note = models.TextField(
        "What was done", blank=True, help_text="For example: called back, advice given, seen on the day."
    )
    realerted_at = models.DateTimeField(
        null=True, blank=True, help_text="When the clinicians were alerted again because nobody had handled it."
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "aftercare check-in"
        permissions = [
            ("view_concern", "Can see patients' aftercare concerns"),
            # Reception: who is waiting for a clinician to call (name and phone only, nothing clinical).
            ("view_callbacks", "Can see who is waiting for a clinical call-back"),
        ]

    def __str__(self):
        return f"{self.get_feeling_display()} ({self.created_at:%d %b %Y})"
