"""Claiming, sending, retrying or failing each outbox row once, whatever runs at the same time.

A worker task sends one row (a booking's email, handed over when its transaction commits) or a
batch of rows over one connection (what the sweep every minute hands out, after returning rows
whose sender died); cron (`send_due_mail`) sends claimed batches itself the same way. Rows are
claimed with conditional UPDATEs (or row locks), so any number of workers, sweeps and cron runs
may run; a rare duplicate (a sender killed after the SMTP server accepted the mail) carries the
same Message-ID. Nothing here logs an address or a body.
"""

import base64
import logging
import random
import smtplib
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.urls import reverse

from ..lib import log_context, tokens
from ..lib.links import absolute_url
from ..models import EmailOptOut, Outbox, UnsubscribeLink
from .connection import MailConnection
from .outbox import InvalidRecipient, Status, Withhold, _renderers, publish_batch, queue_email
from .unsubscribe import TOKEN_PLACEHOLDER, address_hash, is_opted_out, unsubscribe_url

logger = logging.getLogger(__name__)

Category = Outbox.Category
# Only the server's verdict on this message is final. A refused login or sender address is the
# clinic's configuration, which someone will fix, so those are retried like a 4xx.
PER_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)
STAFF_ALERT = "staff_alert"
# Waits (seconds) before trying again to mark sent rows while the database is unreachable (a restart).
MARK_SENT_RETRY_WAITS = (0.5, 1, 2, 4, 8)


def lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def claim_due(*, now: datetime, limit: int) -> list[int]:
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


def dispatch_due(*, now: datetime) -> int:
    """The sweep: return stuck rows to the queue and hand every due row to a worker; return how many.

    Rows go out in tasks of OUTBOX_WORKER_BATCH ids, each sent over one connection (`send_batch`).
    """
    reclaim_stuck(now=now)
    ids = claim_due(now=now, limit=settings.OUTBOX_BATCH_SIZE)
    size = max(1, settings.OUTBOX_WORKER_BATCH)
    for start in range(0, len(ids), size):
        if not publish_batch(ids[start : start + size]):
            # Unpublished rows lose their lease, so the next sweep tries them straight away.
            Outbox.objects.filter(pk__in=ids[start:], status=Status.PENDING).update(lease_until=None)
            return start
    return len(ids)


def reclaim_stuck(*, now: datetime) -> int:
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


def send_one(outbox_id: int, *, now: datetime, connection: MailConnection | None = None) -> Outbox.Status | None:
    """Claim one due row, send it and record the outcome; return its new status, or None if not claimed.

    A row that is not due, already sent, cancelled or held by another sender is left alone,
    so delivering the same task twice sends one email. Every log line on the way names the row.
    `connection` (a worker's, kept between tasks) is reused if given; otherwise one is opened and closed.
    """
    with log_context.bound(outbox_id=outbox_id):
        claimed = (
            Outbox.objects.filter(pk=outbox_id)
            .due(now)
            .update(status=Status.SENDING, lease_until=now + lease(), attempts=F("attempts") + 1)
        )
        if not claimed:
            return None
        row = Outbox.objects.get(pk=outbox_id)
        if row.category != Category.ESSENTIAL and is_opted_out(row.recipient, row.category):
            Outbox.objects.filter(pk=row.pk, status=Status.SENDING).cancel("Unsubscribed")
            return Status.CANCELLED
        if connection is not None:
            status = _deliver(row, now=now, connection=connection)
        else:
            with MailConnection() as own:
                status = _deliver(row, now=now, connection=own)
        if status == Status.SENT:
            _mark_sent([row], now=now)
        return status


def send_batch(
    ids: Iterable[int], *, now: datetime, connection: MailConnection | None = None, within: float | None = None
) -> dict[int, Status]:
    """Claim these rows in one go, send them over one connection and record each outcome; return {id: status}.

    Rows not due or held elsewhere are left out of the answer. The claim is one locked SELECT and
    one UPDATE; sent rows are marked in one UPDATE at the end of the batch (a sender killed mid-batch
    sends its sent-but-unmarked rows again after their lease, with the same Message-IDs). A batch
    stops starting new sends at half the lease (or after `within` seconds, if sooner: a task's time
    limit) and gives the rest back untried, so no row's lease can run out while it waits its turn.
    """
    rows = _claim_batch(list(ids), now=now)
    outcomes: dict[int, Status] = {}
    if not rows:
        return outcomes
    opted_out = _opted_out(rows)
    stop_at = time.monotonic() + min(lease().total_seconds() / 2, within if within is not None else float("inf"))
    sent: list[Outbox] = []
    own = connection is None
    mail = connection or MailConnection()
    try:
        for i, row in enumerate(rows):
            if time.monotonic() > stop_at:
                _give_back(rows[i:])
                break
            with log_context.bound(outbox_id=row.pk):
                if (address_hash(row.recipient), row.category) in opted_out:
                    Outbox.objects.filter(pk=row.pk, status=Status.SENDING).cancel("Unsubscribed")
                    outcomes[row.pk] = Status.CANCELLED
                    continue
                outcomes[row.pk] = _deliver(row, now=now, connection=mail)
                if outcomes[row.pk] == Status.SENT:
                    sent.append(row)
    finally:
        _mark_sent(sent, now=now)
        if own:
            mail.close()
    return outcomes


def _claim_batch(ids: list[int], *, now: datetime) -> list[Outbox]:
    """Move the due rows among `ids` to "sending" with a lease and one more attempt; return them, oldest first.

    The rows are locked while they are claimed (PostgreSQL: FOR UPDATE, so a racing send_one
    waits and then finds them taken; SQLite: the IMMEDIATE transaction), so each goes to one sender.
    """
    if not ids:
        return []
    with transaction.atomic():
        due = Outbox.objects.filter(pk__in=ids).due(now).order_by("pk")
        if connection.features.has_select_for_update:
            due = due.select_for_update()
        rows = list(due)
        until = now + lease()
        Outbox.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=Status.SENDING, lease_until=until, attempts=F("attempts") + 1
        )
    for row in rows:
        row.status, row.lease_until, row.attempts = Status.SENDING, until, row.attempts + 1
    return rows


def _opted_out(rows: list[Outbox]) -> set[tuple[str, str]]:
    """(address hash, category) pairs among these non-essential rows that unsubscribed: one query, or none."""
    hashes = {address_hash(row.recipient) for row in rows if row.category != Category.ESSENTIAL}
    if not hashes:
        return set()
    return set(EmailOptOut.objects.filter(address_hash__in=hashes).values_list("address_hash", "category"))


def _give_back(rows: list[Outbox]) -> None:
    """Return claimed rows that were never tried to the queue, their attempt not counted."""
    Outbox.objects.filter(pk__in=[row.pk for row in rows], status=Status.SENDING).update(
        status=Status.PENDING, lease_until=None, attempts=F("attempts") - 1
    )


def _deliver(row: Outbox, *, now: datetime, connection: MailConnection) -> Outbox.Status:
    """Render and send one claimed row; record a cancellation or failure; SENT is for the caller to record."""
    try:
        try:
            fill_in = _render_again(row, now=now)
        except Withhold as held:
            Outbox.objects.filter(pk=row.pk, status=Status.SENDING).cancel(held.reason[:200])
            return Status.CANCELLED
        if fill_in is None:
            Outbox.objects.filter(pk=row.pk, status=Status.SENDING).cancel("Withdrawn")
            return Status.CANCELLED
        connection.send(build_message(row, now=now, fill_in=fill_in))
    except Exception as exc:  # every failure is recorded on the row: nothing may escape a worker
        return _record_failure(row, exc, now=now)
    logger.info("outbox %s sent (attempt %s)", row.pk, row.attempts)
    return Status.SENT


def _mark_sent(rows: list[Outbox], *, now: datetime) -> None:
    """Record these rows as sent; if the database is unreachable, wait for it a while (a restart) and try again.

    A row left unmarked is sent again after its lease: the wait saves a batch's worth of duplicates.
    """
    if not rows:
        return
    for tries, wait in enumerate((*MARK_SENT_RETRY_WAITS, None)):
        try:
            Outbox.objects.filter(pk__in=[row.pk for row in rows]).exclude(status=Status.SENT).update(
                status=Status.SENT, sent_at=now, lease_until=None, last_error=""
            )
            if tries:
                logger.info("outbox: database back; marked %s sent email(s) after %s tries", len(rows), tries + 1)
            return
        except (OperationalError, InterfaceError) as exc:
            if wait is None or connection.in_atomic_block:
                raise
            logger.warning(
                "outbox: database unreachable (%s) marking %s sent email(s); trying again in %s s",
                type(exc).__name__,
                len(rows),
                wait,
            )
            connection.close()
            time.sleep(wait)


def _render_again(row: Outbox, *, now: datetime) -> dict[str, str] | None:
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


def build_message(row: Outbox, *, now: datetime, fill_in: Mapping[str, str] | None = None) -> EmailMultiAlternatives:
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
        subject=row.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient],
        headers=headers,
        # The sender is a no-reply address: a reply reaches a person at the clinic instead.
        reply_to=[settings.CLINIC_REPLY_TO],
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in row.attachments:
        message.attach(attachment["filename"], base64.b64decode(attachment["content"]), attachment["mimetype"])
    return message


def classify_failure(exc: Exception) -> tuple[bool, str]:
    """(permanent?, a short label without personal data) for a failed send: the error type and SMTP code."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = next((code for code, _ in exc.recipients.values()), None)
    else:
        code = getattr(exc, "smtp_code", None)
    label = f"{type(exc).__name__} {code}" if code else type(exc).__name__
    if isinstance(exc, ValueError):  # BadHeaderError, an unencodable address: this message can never go
        return True, label
    return isinstance(exc, PER_MESSAGE_ERRORS) and isinstance(code, int) and code >= 500, label


def retry_delay(attempts: int, *, rng: Callable[[], float] = random.random) -> timedelta:
    """The wait after `attempts` failed tries: doubling from the base, ±20% jitter, never over the cap."""
    base = settings.OUTBOX_BACKOFF_BASE_SECONDS * 2 ** min(attempts - 1, 20)
    return timedelta(seconds=min(settings.OUTBOX_BACKOFF_CAP_SECONDS, base * (0.8 + 0.4 * rng())))


def _record_failure(row: Outbox, exc: Exception, *, now: datetime) -> Outbox.Status:
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


def _alert_staff(row: Outbox, *, now: datetime) -> None:
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
