"""The waiting list: patients waiting for a time to free up, the offers made to them, and their links."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .appointments import Appointment, Patient
from .schedules import ConsultationType, Practitioner

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class TimeOfDay(models.TextChoices):
    """Parts of the clinic's day, by the local time a consultation starts (clinic.waitlist.matching)."""

    MORNING = "morning", "Mornings (before 12:00)"
    AFTERNOON = "afternoon", "Afternoons (12:00 to 17:00)"
    EVENING = "evening", "Evenings (from 17:00)"


class WaitlistEntryQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(status=WaitlistEntry.Status.WAITING)

    def oldest_first(self):
        return self.order_by("joined_at", "pk")


class WaitlistEntry(models.Model):
    """One patient's place on the waiting list for one consultation type."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        BOOKED = "booked", "Booked"
        LEFT = "left", "Left the list"
        EXPIRED = "expired", "Latest date passed"
        REMOVED = "removed", "Removed by staff"

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        STAFF = "staff", "Added by staff"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="waitlist_entries")
    consultation_type = models.ForeignKey(ConsultationType, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        Practitioner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Leave empty for whoever is free.",
    )
    # Local weekdays that suit, as digits 0 (Monday) to 6 (Sunday): "01234" is weekdays.
    weekdays = models.CharField(max_length=7, default="01234")
    # Comma-separated TimeOfDay values.
    times_of_day = models.CharField(max_length=40, default="morning,afternoon,evening")
    latest_date = models.DateField(help_text="The last day the patient could come.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    # What was typed when joining online; as with bookings, it never changes the patient's record.
    given_name = models.CharField(max_length=120, blank=True)
    given_phone = models.CharField(max_length=20, blank=True)
    given_date_of_birth = models.DateField(null=True, blank=True)
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    joined_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = "waiting list entry"
        verbose_name_plural = "waiting list"

    def __str__(self):
        return f"{self.patient} waiting for {self.consultation_type}"

    @property
    def weekday_numbers(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.weekdays if d.isdigit())

    @property
    def time_parts(self) -> frozenset[str]:
        return frozenset(p for p in self.times_of_day.split(",") if p)

    def describe_days(self) -> str:
        return ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.weekday_numbers))

    def describe_times(self) -> str:
        labels = dict(TimeOfDay.choices)
        return ", ".join(labels[p] for p in TimeOfDay.values if p in self.time_parts)


class WaitlistOffer(models.Model):
    """A free time offered to one waiting patient; made at most once per time and patient."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        TAKEN = "taken", "Taken by someone else"
        WITHDRAWN = "withdrawn", "Withdrawn"

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-offered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "practitioner", "starts_at"], name="waitlist_offer_once_per_slot"),
            models.CheckConstraint(
                name="waitlist_offer_expires_after_made", condition=Q(expires_at__gt=models.F("offered_at"))
            ),
        ]

    def __str__(self):
        return f"offer {self.pk} for {self.starts_at:%Y-%m-%d %H:%M}"


class WaitlistLink(models.Model):
    """A link to see, change or leave a place, in one email; only its token's SHA-256 is kept."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="links")
    outbox = models.ForeignKey("Outbox", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self):
        return f"waiting-list link for {self.entry_id}"
