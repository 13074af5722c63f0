"""Joining, changing and leaving the waiting list, and accepting an offered time: each one transaction.

Emails go through the outbox. Their links to the patient's place carry a token made when the
email is sent (the stored body holds a placeholder), like manage-my-booking links.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from ..booking import services as booking
from ..booking.services import PatientDetails, SlotUnavailable
from ..lib import clock, tokens
from ..lib.links import absolute_reverse
from ..mail import outbox
from ..models import (
    Appointment,
    ConsultationType,
    Outbox,
    Patient,
    Practitioner,
    WaitlistEntry,
    WaitlistLink,
    WaitlistOffer,
)

LINK_PLACEHOLDER = "waitlist-link-token-placeholder"  # noqa: S105 (a placeholder, not a secret)
JOINED = "waitlist_joined"
OFFER = "waitlist_offer"
KINDS = (JOINED, OFFER)

Status = WaitlistEntry.Status


class OfferGone(Exception):
    """The offer is no longer open (expired, withdrawn, or answered already)."""


@dataclass(frozen=True)
class Wishes:
    """What a patient waits for: when it would suit them."""

    consultation_type: ConsultationType
    practitioner: Practitioner | None
    weekdays: Iterable[int]
    times_of_day: Iterable[str]
    latest_date: datetime.date


def _apply(entry: WaitlistEntry, wishes: Wishes) -> None:
    entry.consultation_type = wishes.consultation_type
    entry.practitioner = wishes.practitioner
    entry.weekdays = "".join(str(d) for d in sorted(set(wishes.weekdays)))
    entry.times_of_day = ",".join(sorted(set(wishes.times_of_day)))
    entry.latest_date = wishes.latest_date


def join(
    *,
    wishes: Wishes,
    now: datetime.datetime,
    details: PatientDetails | None = None,
    patient: Patient | None = None,
    added_by: Any = None,
) -> WaitlistEntry:
    """Put a patient on the list and email them a link to their place; return the entry.

    Online (`details`): the patient is found by email or made, as a booking does, and their record
    is never changed. Someone already waiting for this consultation type is not added twice and
    their wishes are not changed by whoever typed their address: they are emailed their link again.
    Staff (`patient`, `added_by`): the patient chosen in the admin.
    """
    with transaction.atomic():
        if patient is None:
            if details is None:
                raise ValueError("join needs the patient's details or a patient")
            patient = booking.match_patient(details)
        existing = (
            WaitlistEntry.objects.waiting()
            .filter(patient=patient, consultation_type=wishes.consultation_type)
            .oldest_first()
            .first()
        )
        if existing is not None:
            _queue_place_email(existing, now=now, again=True)
            return existing
        entry = WaitlistEntry(
            patient=patient,
            joined_at=now,
            source=WaitlistEntry.Source.ONLINE if details else WaitlistEntry.Source.STAFF,
            added_by=added_by,
        )
        if details is not None:
            entry.given_name = details.name
            entry.given_phone = details.phone
            entry.given_date_of_birth = details.date_of_birth
            entry.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION
        _apply(entry, wishes)
        entry.full_clean(exclude=["patient", "consultation_type", "practitioner", "added_by"])
        entry.save()
        _queue_place_email(entry, now=now)
    return entry


def change(*, entry: WaitlistEntry, wishes: Wishes, now: datetime.datetime) -> WaitlistEntry:
    """New wishes for a waiting patient; their place in the queue stays (it goes by the date they joined)."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.WAITING:
            return entry
        _apply(entry, wishes)
        entry.save()
    return entry


def leave(*, entry: WaitlistEntry, now: datetime.datetime, status: str = Status.LEFT) -> WaitlistEntry:
    """Take a patient off the list (left, expired, booked, removed): offers withdrawn, links dead, mail stopped."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != Status.WAITING:
            return entry
        entry.status = status
        entry.ended_at = now
        entry.save(update_fields=["status", "ended_at"])
        _end(entry.pk)
    return entry


def _end(entry_id: int) -> None:
    """What ends with a place on the list, whatever ended it."""
    offers = WaitlistOffer.objects.filter(entry_id=entry_id)
    for pk in offers.values_list("pk", flat=True):
        outbox.cancel_pending(cause=offer_cause(pk))
    offers.filter(status=WaitlistOffer.Status.OPEN).update(status=WaitlistOffer.Status.WITHDRAWN)
    outbox.cancel_pending(cause=entry_cause(entry_id))
    WaitlistLink.objects.filter(entry_id=entry_id).delete()


def accept(*, offer: WaitlistOffer, answers: Mapping[str, str], notes: str = "", now: datetime.datetime) -> Appointment:
    """Book the offered time through the booking service and its constraints; the patient leaves the list.

    Raises OfferGone when the offer is no longer open, and SlotUnavailable (with the nearest free
    times) when someone else booked it first: the offer is then marked taken and the patient keeps
    their place.
    """
    try:
        with transaction.atomic():
            offer = WaitlistOffer.objects.select_for_update().select_related("entry__patient").get(pk=offer.pk)
            entry = offer.entry
            if offer.status == WaitlistOffer.Status.TAKEN and entry.status == Status.WAITING:
                search: booking.SlotSearch = {"consultation_type": entry.consultation_type, "now": now}
                raise SlotUnavailable(
                    "That time was just taken by someone else.",
                    alternatives=booking.alternatives(search, offer.starts_at, entry.practitioner),
                )
            if offer.status != WaitlistOffer.Status.OPEN or offer.expires_at <= now or entry.status != Status.WAITING:
                raise OfferGone
            patient = entry.patient
            appointment = booking.book_consultation(
                consultation_type=entry.consultation_type,
                practitioner=offer.practitioner,
                starts_at=offer.starts_at,
                details=PatientDetails(
                    name=entry.given_name or patient.name,
                    email=patient.email,
                    phone=entry.given_phone or patient.phone,
                    date_of_birth=entry.given_date_of_birth or patient.date_of_birth,
                    marketing_consent=patient.marketing_consent,
                ),
                answers=answers,
                notes=notes,
                idempotency_key=f"waitlist-offer:{offer.pk}",
                now=now,
            )
            offer.status, offer.answered_at, offer.appointment = WaitlistOffer.Status.ACCEPTED, now, appointment
            offer.save(update_fields=["status", "answered_at", "appointment"])
            entry.status, entry.ended_at = Status.BOOKED, now
            entry.save(update_fields=["status", "ended_at"])
            _end(entry.pk)
    except SlotUnavailable:
        WaitlistOffer.objects.filter(pk=offer.pk, status=WaitlistOffer.Status.OPEN).update(
            status=WaitlistOffer.Status.TAKEN, answered_at=now
        )
        raise
    # Anyone else offered the same time now finds it taken. After the commit, not inside it: another
    # acceptor holding their own offer's lock while waiting on the constraint would deadlock with us.
    WaitlistOffer.objects.filter(
        status=WaitlistOffer.Status.OPEN, practitioner=offer.practitioner, starts_at=offer.starts_at
    ).update(status=WaitlistOffer.Status.TAKEN)
    return appointment


def entry_for_token(token: str) -> WaitlistEntry | None:
    """The waiting place a link points at, while the patient is still waiting (else None)."""
    link = (
        WaitlistLink.objects.select_related("entry__patient", "entry__consultation_type", "entry__practitioner")
        .filter(token_hash=tokens.digest(token), entry__status=Status.WAITING)
        .first()
    )
    return link.entry if link else None


def open_offers(entry: WaitlistEntry, *, now: datetime.datetime) -> list[WaitlistOffer]:
    return list(
        entry.offers.filter(status=WaitlistOffer.Status.OPEN, expires_at__gt=now)
        .select_related("practitioner")
        .order_by("starts_at")
    )


def erase(*, patient: Patient) -> int:
    """Erasure: delete the patient's places on the list, their offers and links; return how many places."""
    deleted, _ = WaitlistEntry.objects.filter(patient=patient).delete()
    return deleted


# --- Emails -----------------------------------------------------------------------------


def entry_cause(entry_id: int) -> str:
    return f"waitlist:{entry_id}"


def offer_cause(offer_id: int) -> str:
    return f"waitlist_offer:{offer_id}"


def place_url(token: str) -> str:
    return absolute_reverse("waitlist:place", token)


def _context(entry: WaitlistEntry) -> dict[str, Any]:
    return {"entry": entry, "name": entry.given_name or entry.patient.name, "place_url": place_url(LINK_PLACEHOLDER)}


def _queue_place_email(entry: WaitlistEntry, *, now: datetime.datetime, again: bool = False) -> None:
    key = f"{JOINED}:{entry.pk}:{now.timestamp()}" if again else f"{JOINED}:{entry.pk}"
    outbox.queue_email(
        to=entry.patient.email,
        template=JOINED,
        context={**_context(entry), "again": again},
        kind=JOINED,
        cause=entry_cause(entry.pk),
        idempotency_key=key,
        now=now,
    )


def queue_offer_email(offer: WaitlistOffer, *, now: datetime.datetime) -> None:
    """Tell a waiting patient about a free time (called in the transaction that makes the offer)."""
    entry = offer.entry
    outbox.queue_email(
        to=entry.patient.email,
        template=OFFER,
        context={
            **_context(entry),
            "offer": offer,
            "starts_at": clock.local(offer.starts_at),
            "expires_at": clock.local(offer.expires_at),
        },
        kind=OFFER,
        cause=offer_cause(offer.pk),
        idempotency_key=f"{OFFER}:{offer.pk}",
        now=now,
    )


def fill_in_link(row: Outbox, *, now: datetime.datetime) -> outbox.RenderedParts | None:
    """The outbox's renderer for waiting-list emails: a new link to the place, made as the email is sent.

    Withdraws the email (None) when the patient no longer waits, or the offer it tells of has closed.
    """
    prefix, _, pk = row.cause.partition(":")
    if not pk.isdigit():
        return None
    if prefix == "waitlist_offer":
        offer = WaitlistOffer.objects.filter(pk=int(pk), status=WaitlistOffer.Status.OPEN, expires_at__gt=now).first()
        entry_id = offer.entry_id if offer else None
    else:
        entry_id = int(pk)
    entry = WaitlistEntry.objects.waiting().filter(pk=entry_id).first() if entry_id else None
    if entry is None:
        return None
    token = tokens.new_token()
    WaitlistLink.objects.create(entry=entry, outbox=row, token_hash=tokens.digest(token), created_at=now)
    return row.subject, row.body_text, row.body_html, {LINK_PLACEHOLDER: token}
