"""Queueing email in the caller's transaction; cancelling it; handing it to a worker.

Every email is a row, written in the same transaction as the change it reports, so a rollback
drops it. Sending is clinic.mail.sending; a task carries only row ids (one, or the sweep's batch).
"""

import base64
import datetime
import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.celery import app

from ..lib.addresses import clean_address
from ..lib.links import site_host
from ..models import Outbox
from .rendering import render_email
from .unsubscribe import TOKEN_PLACEHOLDER, is_opted_out, unsubscribe_url

logger = logging.getLogger(__name__)

Status = Outbox.Status
Category = Outbox.Category

SEND_TASK = "clinic.mail.tasks.send_outbox_email"
BATCH_TASK = "clinic.mail.tasks.send_outbox_batch"
# After a failed publish this process stops trying for a while: each try can cost the broker's
# socket timeout (2 s), and the sweep sends the mail anyway.
BROKER_PAUSE_SECONDS = 30
_broker_paused_until = 0.0


class InvalidRecipient(ValueError):
    """Not one plain email address (for example, it holds a line break or a second address)."""


# A renderer's answer: (subject, text, html, fill_in), fill_in mapping placeholders to values.
RenderedParts = tuple[str, str, str, dict[str, str]]


class Renderer(Protocol):
    """`render(row, *, now)`, as `register_renderer` describes."""

    def __call__(self, row: Outbox, *, now: datetime.datetime) -> RenderedParts | None: ...


class StoredAttachment(TypedDict):
    """An attachment as the row's JSON keeps it: the content base64-encoded."""

    filename: str
    mimetype: str
    content: str


# Kinds whose content must be current when it goes, not when it was queued (aftercare steps an
# editor may correct days after a treatment was recorded): kind -> render(row, *, now).
_renderers: dict[str, Renderer] = {}


class Withhold(Exception):  # noqa: N818 (an answer, not an error)
    """A renderer's answer that the email must not go: it is cancelled with this reason (e.g. held for review)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def register_renderer(kind: str, render: Renderer) -> None:
    """Re-render rows of `kind` just before each send attempt.

    `render(row, *, now)` returns (subject, text, html, fill_in), or None to withdraw the email
    (it is then cancelled, "Withdrawn"), or raises `Withhold(reason)` to cancel it with that
    reason. The parts are stored on the row, so the admin shows what was sent;
    `fill_in` maps placeholders in them to values (link tokens) that go only into the message.
    """
    _renderers[kind] = render


# --- Queueing (inside the caller's transaction) -----------------------------


def queue_email(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    kind: str,
    cause: str,
    idempotency_key: str,
    send_after: datetime.datetime | None = None,
    category: str = Category.ESSENTIAL,
    attachments: Iterable[tuple[str, str | bytes, str]] = (),
    now: datetime.datetime | None = None,
) -> Outbox:
    """Render an email and store it to be sent at `send_after` (default: now); return its row.

    Call it inside the transaction that makes the change the email reports, so a rollback drops
    it. The same idempotency key stores one email. Due mail is handed to a worker when the
    transaction commits; if the broker is down the minute sweep sends it. `attachments` are
    (filename, content, mimetype) triples. Mail of a category the address unsubscribed from is
    stored as cancelled ("Unsubscribed"), so staff can see why it was not sent.
    """
    now = now or timezone.now()
    clean_recipient(to)
    _check_key(idempotency_key, send_after)
    existing = Outbox.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    row = new_row(
        to=to,
        template=template,
        context=context,
        kind=kind,
        cause=cause,
        idempotency_key=idempotency_key,
        send_after=send_after,
        category=category,
        attachments=attachments,
        now=now,
    )
    try:
        with transaction.atomic():  # a savepoint: a racing duplicate must not spoil the caller's transaction
            row.save()
    except IntegrityError:
        return Outbox.objects.get(idempotency_key=idempotency_key)
    _publish_when_due(row, now=now)
    return row


def queue_emails(rows: Sequence[Outbox], *, now: datetime.datetime, new_cause: bool = False) -> list[Outbox]:
    """Store rows made by `new_row` in one INSERT, as `queue_email` stores one; return the stored rows.

    For a change that sends several emails at once (a booking's confirmation and reminder): two
    queries whatever their number (the INSERT, and a SELECT of the stored rows) instead of
    four each. A key already stored keeps its row (ON CONFLICT DO NOTHING, so no savepoint is
    needed); unlike `queue_email`, every row has been rendered before that is known.

    `new_cause`: the rows' cause was made in this transaction (a new appointment), so no row can
    be stored under their keys yet: one INSERT, which gives the rows their ids, and no SELECT.
    """
    if not rows:
        return []
    if new_cause:
        stored = Outbox.objects.bulk_create(rows)
        for row in stored:
            _publish_when_due(row, now=now)
        return stored
    Outbox.objects.bulk_create(rows, ignore_conflicts=True)
    made = {row.idempotency_key: row.message_id for row in rows}
    stored_by_key = {row.idempotency_key: row for row in Outbox.objects.filter(idempotency_key__in=list(made))}
    for key, row in stored_by_key.items():
        if row.message_id == made[key]:  # inserted now, not a row stored before under this key
            _publish_when_due(row, now=now)
    return [stored_by_key[row.idempotency_key] for row in rows]


def new_row(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    kind: str,
    cause: str,
    idempotency_key: str,
    now: datetime.datetime,
    send_after: datetime.datetime | None = None,
    category: str = Category.ESSENTIAL,
    attachments: Iterable[tuple[str, str | bytes, str]] = (),
) -> Outbox:
    """An email rendered into an unsaved row (arguments as `queue_email`'s), for `queue_emails`."""
    recipient = clean_recipient(to)
    _check_key(idempotency_key, send_after)
    send_after = send_after or now
    context = dict(context)
    if category != Category.ESSENTIAL:
        context["unsubscribe_url"] = unsubscribe_url(TOKEN_PLACEHOLDER)
    subject, text, html = render_email(template, context)
    opted_out = category != Category.ESSENTIAL and is_opted_out(recipient, category)
    return Outbox(
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


def _check_key(idempotency_key: str, send_after: datetime.datetime | None) -> None:
    if len(idempotency_key) > 200:
        raise ValueError("An idempotency key may be at most 200 characters.")
    if send_after is not None and timezone.is_naive(send_after):
        raise ValueError("send_after must be timezone-aware.")


def _publish_when_due(row: Outbox, *, now: datetime.datetime) -> None:
    if row.status == Status.PENDING and row.send_after <= now:
        transaction.on_commit(partial(publish_send, row.pk))


def clean_recipient(address: str) -> str:
    """The address, trimmed and lower-cased, if mail can be sent to it (clinic.lib.addresses); else InvalidRecipient."""
    try:
        return clean_address(address)
    except ValidationError:
        raise InvalidRecipient("Not one plain email address that mail can be sent to.") from None


def new_message_id() -> str:
    """A Message-ID unique to one email and kept for all its attempts."""
    return f"<{uuid.uuid4().hex}@{site_host()}>"


def _stored_attachment(filename: str, content: str | bytes, mimetype: str) -> StoredAttachment:
    if isinstance(content, str):
        content = content.encode()
    return {"filename": filename, "mimetype": mimetype, "content": base64.b64encode(content).decode("ascii")}


def publish_send(outbox_id: int) -> bool:
    """Hand one row to a worker now; False if the broker cannot be reached (the sweep sends it later)."""
    return _publish(SEND_TASK, outbox_id, f"outbox {outbox_id}")


def publish_batch(ids: Sequence[int]) -> bool:
    """Hand these rows to one worker task, sent over one connection; False if the broker cannot be reached."""
    return _publish(BATCH_TASK, list(ids), f"outbox batch of {len(ids)} from {ids[0]}")


def _publish(task: str, arg: int | list[int], label: str) -> bool:
    global _broker_paused_until
    if not settings.OUTBOX_USE_CELERY or time.monotonic() < _broker_paused_until:
        return False
    try:
        app.send_task(task, (arg,), retry=False)
    except Exception as exc:  # whatever the broker does, the request that queued the mail succeeds
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("%s: task broker unreachable (%s); the sweep will send it", label, type(exc).__name__)
        return False
    return True


# --- Cancelling and retrying ------------------------------------------------


def cancel_pending(*, cause: str, kinds: Iterable[str] | None = None, reason: str = "Cancelled") -> int:
    """Cancel the unsent emails `cause` queued (optionally only these kinds); return how many.

    Their idempotency keys are freed, so a replacement may be queued with the same key.
    """
    rows = Outbox.objects.filter(cause=cause, status=Status.PENDING)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    return rows.cancel(reason)


def cancel(*, ids: Iterable[int], reason: str = "Cancelled by staff") -> int:
    """Cancel these rows if they are pending or failed (staff's admin action); return how many."""
    return Outbox.objects.filter(pk__in=ids, status__in=[Status.PENDING, Status.FAILED]).cancel(reason)


def retry_now(*, ids: Iterable[int], now: datetime.datetime) -> int:
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
