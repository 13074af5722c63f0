"""Unsubscribing from non-essential mail: one-click links made at sending, and the opt-outs they record."""

import datetime
import hashlib

from django.db import transaction
from django.urls import reverse

from ..lib import tokens
from ..lib.links import absolute_url
from ..models import EmailOptOut, Outbox, UnsubscribeLink

# Stored bodies hold this in place of the unsubscribe token: the real one is made at sending, so
# the database only ever holds its SHA-256. Letters and dashes, so HTML escaping leaves it alone.
TOKEN_PLACEHOLDER = "unsubscribe-token-placeholder"  # noqa: S105 (a placeholder, not a secret)


def address_hash(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def unsubscribe_url(token: str) -> str:
    return absolute_url(reverse("email:unsubscribe", args=[token]))


def unsubscribe_link(token: str) -> UnsubscribeLink | None:
    """The unsubscribe link a token belongs to, with its email, or None."""
    return UnsubscribeLink.objects.select_related("outbox").filter(token_hash=tokens.digest(token)).first()


def is_opted_out(address: str, category: str) -> bool:
    return EmailOptOut.objects.filter(address_hash=address_hash(address), category=category).exists()


def opt_out(*, address: str, category: str, now: datetime.datetime) -> int:
    """Stop mail of this category to this address: record it and cancel what is waiting; return how many."""
    if category == Outbox.Category.ESSENTIAL:
        raise ValueError("Essential mail cannot be unsubscribed from.")
    with transaction.atomic():
        # get_or_create copes with two clicks at once: one opt-out is kept.
        EmailOptOut.objects.get_or_create(
            address_hash=address_hash(address), category=category, defaults={"created_at": now}
        )
        waiting = Outbox.objects.filter(
            recipient__iexact=address.strip(), category=category, status=Outbox.Status.PENDING
        )
        return waiting.cancel("Unsubscribed")
