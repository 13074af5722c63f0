"""The email outbox: one row per email, unsubscribe links and the addresses that opted out."""

from django.db import models
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat


class OutboxQuerySet(models.QuerySet):
    def due(self, now):
        """Pending rows whose time to send (or to try again) has come."""
        return self.filter(status=Outbox.Status.PENDING, next_attempt_at__lte=now)

    def unleased(self, now):
        """Rows no sender or dispatcher is holding at `now`."""
        return self.filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))

    def cancel(self, reason):
        """Mark these rows cancelled, freeing their idempotency keys for a replacement; return how many."""
        suffix = Concat(Value("#cancelled-"), Cast("pk", output_field=CharField()))
        return self.update(
            status=Outbox.Status.CANCELLED,
            lease_until=None,
            last_error=reason,
            idempotency_key=Concat(F("idempotency_key"), suffix, output_field=CharField()),
        )


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
