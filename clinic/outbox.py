"""The email outbox: queue mail in the caller's transaction, then claim, send, retry or fail each row once.

Every email is a row. A worker task sends one row; a sweep every minute hands due rows to
workers and returns rows whose sender died. Rows are claimed with conditional UPDATEs, so any
number of workers and sweeps may run; a rare duplicate (a sender killed after the SMTP server
accepted the mail) carries the same Message-ID. Nothing here logs an address or a body.
"""

import base64
import hashlib
import logging
import random
import smtplib
import time
import uuid
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Count, F, Min, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from . import tokens
from .addresses import clean_address
from .emails import absolute_url, render_email
from .models import EmailOptOut, Outbox, UnsubscribeLink

logger = logging.getLogger(__name__)

Status = Outbox.Status
Category = Outbox.Category

STAFF_ALERT = "staff_alert"
KEEP_FOR = timedelta(days=30)
# Stored bodies hold this in place of the unsubscribe token: the real one is made at sending, so
# the database only ever holds its SHA-256. Letters and dashes, so HTML escaping leaves it alone.
TOKEN_PLACEHOLDER = "unsubscribe-token-placeholder"  # noqa: S105 (a placeholder, not a secret)
# After a failed publish this process stops trying for a while: each try can cost the broker's
# socket timeout (2 s), and the sweep sends the mail anyway.
BROKER_PAUSE_SECONDS = 30
_broker_paused_until = 0.0
# Only the server's verdict on this message is final. A refused login or sender address is the
# clinic's configuration, which someone will fix, so those are retried like a 4xx.
PER_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


class InvalidRecipient(ValueError):
    """Not one plain email address (for example, it holds a line break or a second address)."""


# Kinds whose content must be current when it goes, not when it was queued (aftercare steps an
# editor may correct days after a treatment was recorded): kind -> render(row, *, now).
_renderers = {}


def register_renderer(kind, render):
    """Re-render rows of `kind` just before each send attempt.

    `render(row, *, now)` returns (subject, text, html, fill_in), or None to withdraw the email
    (it is then cancelled). The parts are stored on the row, so the admin shows what was sent;
    `fill_in` maps placeholders in them to values (link tokens) that go only into the message.
    """
    _renderers[kind] = render


# --- Queueing (inside the caller's transaction) -----------------------------


def queue_email(
    *,
    to,
    template,
    context,
    kind,
    cause,
    idempotency_key,
    send_after=None,
    category=Category.ESSENTIAL,
    attachments=(),
    now=None,
):
    """Render an email and store it to be sent at `send_after` (default: now); return its row.

    Call it inside the transaction that makes the change the email reports, so a rollback drops
    it. The same idempotency key stores one email. Due mail is handed to a worker when the
    transaction commits; if the broker is down the minute sweep sends it. `attachments` are
    (filename, content, mimetype) triples. Mail of a category the address unsubscribed from is
    stored as cancelled ("Unsubscribed"), so staff can see why it was not sent.
    """
    now = now or timezone.now()
    recipient = clean_recipient(to)
    if len(idempotency_key) > 200:
        raise ValueError("An idempotency key may be at most 200 characters.")
    send_after = send_after or now
    if timezone.is_naive(send_after):
        raise ValueError("send_after must be timezone-aware.")
    existing = Outbox.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing

    context = dict(context)
    if category != Category.ESSENTIAL:
        context["unsubscribe_url"] = unsubscribe_url(TOKEN_PLACEHOLDER)
    subject, text, html = render_email(template, context)
    opted_out = category != Category.ESSENTIAL and is_opted_out(recipient, category)
    row = Outbox(
        recipient=recipient,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=[_stored_attachment(*attachment) for attachment in attachments],
        kind=kind,
        category=category,
        cause=cause,
        idempotency_key=idempotency_key,
        send_after=send_after,
        next_attempt_at=send_after,
        status=Status.CANCELLED if opted_out else Status.PENDING,
        last_error="Unsubscribed" if opted_out else "",
        message_id=new_message_id(),
        created_at=now,
    )
    try:
        with transaction.atomic():  # a savepoint: a racing duplicate must not spoil the caller's transaction
            row.save()
    except IntegrityError:
        return Outbox.objects.get(idempotency_key=idempotency_key)
    if row.status == Status.PENDING and send_after <= now:
        transaction.on_commit(partial(publish_send, row.pk))
    return row


def clean_recipient(address):
    """The address, trimmed and lower-cased, if mail can be sent to it (clinic.addresses); else InvalidRecipient."""
    try:
        return clean_address(address)
    except ValidationError:
        raise InvalidRecipient("Not one plain email address that mail can be sent to.") from None


def new_message_id():
    """A Message-ID unique to one email and kept for all its attempts."""
    return f"<{uuid.uuid4().hex}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


def _stored_attachment(filename, content, mimetype):
    if isinstance(content, str):
        content = content.encode()
    return {"filename": filename, "mimetype": mimetype, "content": base64.b64encode(content).decode("ascii")}


def publish_send(outbox_id):
    """Hand one row to a worker now; False if the broker cannot be reached (the sweep sends it later)."""
    global _broker_paused_until
    if not settings.OUTBOX_USE_CELERY or time.monotonic() < _broker_paused_until:
        return False
    from .tasks import send_outbox_email

    try:
        send_outbox_email.apply_async((outbox_id,), retry=False)
    except Exception as exc:  # whatever the broker does, the request that queued the mail succeeds
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("outbox %s: task broker unreachable (%s); the sweep will send it", outbox_id, type(exc).__name__)
        return False
    return True


# --- Cancelling and retrying ------------------------------------------------


def cancel_pending(*, cause, kinds=None, reason="Cancelled"):
    """Cancel the unsent emails `cause` queued (optionally only these kinds); return how many.

    Their idempotency keys are freed, so a replacement may be queued with the same key.
    """
    rows = Outbox.objects.filter(cause=cause, status=Status.PENDING)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    return _cancel(rows, reason)


def cancel(*, ids, reason="Cancelled by staff"):
    """Cancel these rows if they are pending or failed (staff's admin action); return how many."""
    return _cancel(Outbox.objects.filter(pk__in=ids, status__in=[Status.PENDING, Status.FAILED]), reason)


def _cancel(rows, reason):
    suffix = Concat(Value("#cancelled-"), Cast("pk", output_field=CharField()))
    return rows.update(
        status=Status.CANCELLED,
        lease_until=None,
        last_error=reason,
        idempotency_key=Concat(F("idempotency_key"), suffix, output_field=CharField()),
    )


def retry_now(*, ids, now):
    """Send failed or waiting rows at once, with a fresh set of attempts; return how many."""
    ids = list(
        Outbox.objects.filter(pk__in=ids, status__in=[Status.PENDING, Status.FAILED]).values_list("pk", flat=True)
    )
    Outbox.objects.filter(pk__in=ids).update(
        status=Status.PENDING, next_attempt_at=now, lease_until=None, attempts=0, last_error=""
    )
    for pk in ids:
        transaction.on_commit(partial(publish_send, pk))
    return len(ids)


# --- Claiming and sending ---------------------------------------------------


def lease():
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def claim_due(*, now, limit):
    """Lease up to `limit` due rows to the caller for handing to senders; return their ids.

    A constant number of queries. On PostgreSQL, rows another dispatcher is claiming are
    skipped (SKIP LOCKED); on SQLite the IMMEDIATE transaction serialises dispatchers. Either
    way the lease UPDATE is conditional, and each sender claims its row again before sending.
    """
    with transaction.atomic():
        due = Outbox.objects.due(now).unleased(now).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        Outbox.objects.filter(pk__in=ids).due(now).unleased(now).update(lease_until=now + lease())
    return ids


def dispatch_due(*, now):
    """The sweep: return stuck rows to the queue and hand every due row to a worker; return how many."""
    reclaim_stuck(now=now)
    ids = claim_due(now=now, limit=settings.OUTBOX_BATCH_SIZE)
    for i, pk in enumerate(ids):
        if not publish_send(pk):
            # Unpublished rows lose their lease, so the next sweep tries them straight away.
            Outbox.objects.filter(pk__in=ids[i:], status=Status.PENDING).update(lease_until=None)
            return i
    return len(ids)


def reclaim_stuck(*, now):
    """Rows left in "sending" past their lease (their sender died) go back to the queue; return how many."""
    stuck = Outbox.objects.filter(status=Status.SENDING, lease_until__lt=now)
    worn_out = list(stuck.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).values_list("pk", flat=True))
    with transaction.atomic():
        failed = Outbox.objects.filter(pk__in=worn_out, status=Status.SENDING).update(
            status=Status.FAILED, lease_until=None, last_error="Sender lost its lease too often"
        )
        for pk in worn_out:
            _alert_staff(Outbox.objects.get(pk=pk), now=now)
        requeued = stuck.update(
            status=Status.PENDING, next_attempt_at=now, lease_until=None, last_error="Sender lost its lease"
        )
    if requeued or failed:
        logger.warning("outbox: %s stuck email(s) back in the queue, %s failed", requeued, failed)
    return requeued + failed


def send_one(outbox_id, *, now):
    """Claim one due row, send it and record the outcome; return its new status, or None if not claimed.

    A row that is not due, already sent, cancelled or held by another sender is left alone,
    so delivering the same task twice sends one email.
    """
    claimed = (
        Outbox.objects.filter(pk=outbox_id)
        .due(now)
        .update(status=Status.SENDING, lease_until=now + lease(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    row = Outbox.objects.get(pk=outbox_id)
    if row.category != Category.ESSENTIAL and is_opted_out(row.recipient, row.category):
        _cancel(Outbox.objects.filter(pk=row.pk, status=Status.SENDING), "Unsubscribed")
        return Status.CANCELLED
    try:
        fill_in = _render_again(row, now=now)
        if fill_in is None:
            _cancel(Outbox.objects.filter(pk=row.pk, status=Status.SENDING), "Withdrawn")
            return Status.CANCELLED
        build_message(row, now=now, fill_in=fill_in).send()
    except Exception as exc:  # every failure is recorded on the row: nothing may escape a worker
        return _record_failure(row, exc, now=now)
    Outbox.objects.filter(pk=row.pk).exclude(status=Status.SENT).update(
        status=Status.SENT, sent_at=now, lease_until=None, last_error=""
    )
    logger.info("outbox %s sent (attempt %s)", row.pk, row.attempts)
    return Status.SENT


def _render_again(row, *, now):
    """Refresh a registered kind's parts on the row; return the placeholders to fill in, or None if withdrawn."""
    render = _renderers.get(row.kind)
    if render is None:
        return {}
    fresh = render(row, now=now)
    if fresh is None:
        return None
    row.subject, row.body_text, row.body_html, fill_in = fresh
    Outbox.objects.filter(pk=row.pk).update(subject=row.subject, body_text=row.body_text, body_html=row.body_html)
    return fill_in


def build_message(row, *, now, fill_in=None):
    """The email for one row: its stored parts, its Message-ID and, for non-essential mail, a fresh unsubscribe link.

    `fill_in` (placeholder -> value) completes links whose tokens the database must not hold.
    """
    headers = {"Message-ID": row.message_id, "Auto-Submitted": "auto-generated"}
    text, html = row.body_text, row.body_html
    for placeholder, value in (fill_in or {}).items():
        text, html = text.replace(placeholder, value), html.replace(placeholder, value)
    if row.category != Category.ESSENTIAL:
        token = tokens.new_token()
        UnsubscribeLink.objects.create(outbox=row, token_hash=tokens.digest(token), created_at=now)
        text, html = text.replace(TOKEN_PLACEHOLDER, token), html.replace(TOKEN_PLACEHOLDER, token)
        headers["List-Unsubscribe"] = f"<{unsubscribe_url(token)}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058 one-click
    message = EmailMultiAlternatives(
        subject=row.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[row.recipient], headers=headers
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in row.attachments:
        message.attach(attachment["filename"], base64.b64decode(attachment["content"]), attachment["mimetype"])
    return message


def classify_failure(exc):
    """(permanent?, a short label without personal data) for a failed send: the error type and SMTP code."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = next((code for code, _ in exc.recipients.values()), None)
    else:
        code = getattr(exc, "smtp_code", None)
    label = f"{type(exc).__name__} {code}" if code else type(exc).__name__
    if isinstance(exc, ValueError):  # BadHeaderError, an unencodable address: this message can never go
        return True, label
    return isinstance(exc, PER_MESSAGE_ERRORS) and isinstance(code, int) and code >= 500, label


def retry_delay(attempts, *, rng=random.random):
    """The wait after `attempts` failed tries: doubling from the base, ±20% jitter, never over the cap."""
    base = settings.OUTBOX_BACKOFF_BASE_SECONDS * 2 ** min(attempts - 1, 20)
    return timedelta(seconds=min(settings.OUTBOX_BACKOFF_CAP_SECONDS, base * (0.8 + 0.4 * rng())))


def _record_failure(row, exc, *, now):
    permanent, label = classify_failure(exc)
    mine = Outbox.objects.filter(pk=row.pk, status=Status.SENDING, attempts=row.attempts)
    if permanent or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        with transaction.atomic():
            if mine.update(status=Status.FAILED, lease_until=None, last_error=label):
                _alert_staff(row, now=now)
        logger.error("outbox %s failed after %s attempt(s): %s", row.pk, row.attempts, label)
        return Status.FAILED
    retry_at = now + retry_delay(row.attempts)
    mine.update(status=Status.PENDING, next_attempt_at=retry_at, lease_until=None, last_error=label)
    logger.warning(
        "outbox %s: temporary failure (%s) on attempt %s; next try at %s", row.pk, label, row.attempts, retry_at
    )
    return Status.PENDING


def _alert_staff(row, *, now):
    """Tell reception an email failed: only its number and an admin link, nothing about the patient."""
    if row.kind == STAFF_ALERT:
        return  # an alert about a failed alert would go the same way
    try:
        queue_email(
            to=settings.CLINIC_INBOX_EMAIL,
            template="staff_alert",
            context={
                "outbox_id": row.pk,
                "admin_url": absolute_url(reverse("admin:clinic_outbox_change", args=[row.pk])),
            },
            kind=STAFF_ALERT,
            cause=f"outbox:{row.pk}",
            idempotency_key=f"{STAFF_ALERT}:outbox:{row.pk}",
            now=now,
        )
    except InvalidRecipient:
        logger.error("outbox %s: CLINIC_INBOX_EMAIL is not a valid address; no staff alert sent", row.pk)


# --- Unsubscribing ----------------------------------------------------------


def address_hash(address):
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def unsubscribe_url(token):
    return absolute_url(reverse("email:unsubscribe", args=[token]))


def unsubscribe_link(token):
    """The unsubscribe link a token belongs to, with its email, or None."""
    return UnsubscribeLink.objects.select_related("outbox").filter(token_hash=tokens.digest(token)).first()


def is_opted_out(address, category):
    return EmailOptOut.objects.filter(address_hash=address_hash(address), category=category).exists()


def opt_out(*, address, category, now):
    """Stop mail of this category to this address: record it and cancel what is waiting; return how many."""
    if category == Category.ESSENTIAL:
        raise ValueError("Essential mail cannot be unsubscribed from.")
    with transaction.atomic():
        # get_or_create copes with two clicks at once: one opt-out is kept.
        EmailOptOut.objects.get_or_create(
            address_hash=address_hash(address), category=category, defaults={"created_at": now}
        )
        waiting = Outbox.objects.filter(recipient__iexact=address.strip(), category=category, status=Status.PENDING)
        return _cancel(waiting, "Unsubscribed")


# --- Housekeeping -----------------------------------------------------------


def purge_old(*, now):
    """Delete sent and cancelled rows older than 30 days (they hold personal data); return how many."""
    cutoff = now - KEEP_FOR
    old = Outbox.objects.filter(status=Status.SENT, sent_at__lt=cutoff) | Outbox.objects.filter(
        status=Status.CANCELLED, created_at__lt=cutoff
    )
    _, deleted = old.delete()  # their unsubscribe links go with them
    return deleted.get("clinic.Outbox", 0)


def queue_stats(*, now):
    """Counts by status, how many are due now, and the oldest due time (None if nothing is due)."""
    by_status = dict(Outbox.objects.values_list("status").annotate(n=Count("pk")).order_by())
    due = Outbox.objects.due(now).aggregate(n=Count("pk"), oldest=Min("next_attempt_at"))
    return {
        "by_status": {status: by_status.get(status, 0) for status in Status.values},
        "due": due["n"],
        "oldest_due": due["oldest"],
    }
