"""Booking, cancelling and moving appointments: each one transaction, emails included."""

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from django.conf import settings
from django.db import transaction

from ..lib import clock, tokens
from ..lib.links import absolute_reverse
from ..lib.races import RACE_ERRORS, lost_race
from ..mail import outbox
from ..models import Appointment, ConsultationType, ManageLink, Outbox, Patient, Practitioner, Questionnaire
from . import availability, emails, schedule, timing
from .ics import appointment_ics

logger = logging.getLogger(__name__)


class SlotUnavailable(Exception):
    """The chosen time cannot be booked; `alternatives` are the nearest free slots."""

    def __init__(self, message: str, alternatives: Iterable[schedule.PractitionerSlot] = ()) -> None:
        super().__init__(message)
        self.alternatives = list(alternatives)


class TooLateToChange(Exception):
    """Inside the cancellation cut-off: the patient must phone the clinic."""


@dataclass
class PatientDetails:
    name: str
    email: str
    phone: str
    date_of_birth: datetime.date | None
    marketing_consent: bool = False


class SlotSearch(TypedDict):
    """What every slot search of one booking shares (`check_slot`, `alternatives`)."""

    consultation_type: ConsultationType
    now: datetime.datetime
    ignore_appointment: NotRequired[Appointment | None]
    rules: NotRequired[availability.Rules | None]


# Stored email bodies hold this where the manage link's token goes; the token is made at sending.
MANAGE_LINK_PLACEHOLDER = "manage-link-token-placeholder"  # noqa: S105 (a placeholder, not a secret)
# The emails that carry a manage link.
MANAGE_LINK_KINDS = ("booking_confirmed", "booking_rescheduled", "booking_reminder")


def appointment_for_token(token: str, *, now: datetime.datetime) -> Appointment | None:
    """The appointment a manage link points at, if the link is still valid (else None)."""
    link = (
        ManageLink.objects.select_related(
            "appointment__patient", "appointment__practitioner", "appointment__consultation_type"
        )
        .filter(token_hash=tokens.digest(token))
        .first()
    )
    if link is None or link.appointment.starts_at <= now:
        return None
    return link.appointment


def fill_in_manage_link(row: Outbox, *, now: datetime.datetime) -> outbox.RenderedParts | None:
    """The outbox's renderer for booking emails: a new manage link, for this email only, made as it is sent.

    Returns the stored parts and the token to put in place of the placeholder, or None to
    withdraw the email when its appointment is no longer booked.
    """
    prefix, _, pk = row.cause.partition(":")
    booked = Appointment.objects.filter(status=Appointment.Status.BOOKED)
    appointment = booked.filter(pk=int(pk)).first() if prefix == "appointment" and pk.isdigit() else None
    if appointment is None:
        return None
    token = tokens.new_token()
    ManageLink.objects.create(appointment=appointment, outbox=row, token_hash=tokens.digest(token), created_at=now)
    return row.subject, row.body_text, row.body_html, {MANAGE_LINK_PLACEHOLDER: token}


def _revoke_manage_links(appointment: Appointment) -> None:
    ManageLink.objects.filter(appointment=appointment).delete()


def can_change_online(appointment: Appointment, *, now: datetime.datetime) -> bool:
    return appointment.status == Appointment.Status.BOOKED and not timing.inside_cutoff(appointment.starts_at, now=now)


def check_slot(
    *,
    consultation_type: ConsultationType,
    practitioner: Practitioner | None,
    starts_at: datetime.datetime,
    now: datetime.datetime,
    ignore_appointment: Appointment | None = None,
    rules: availability.Rules | None = None,
) -> schedule.PractitionerSlot:
    """The free slot starting at `starts_at`, or SlotUnavailable with the nearest alternatives.

    `rules` None means the online booking rules; staff allowed to override them pass `schedule.desk_rules()`.
    """
    if not clock.within_diary(starts_at, now=now):
        raise SlotUnavailable("That time is not available.")  # nowhere near the diary: nothing to offer
    day = clock.today(starts_at)
    search: SlotSearch = {
        "consultation_type": consultation_type,
        "now": now,
        "ignore_appointment": ignore_appointment,
        "rules": rules,
    }
    slots = schedule.free_slots(**search, practitioner=practitioner, first_day=day, last_day=day)
    for slot in slots:
        if slot.start == starts_at:
            return slot
    raise SlotUnavailable("That time is not available.", alternatives=alternatives(search, starts_at, practitioner))


def alternatives(
    search: SlotSearch, wanted: datetime.datetime, practitioner: Practitioner | None = None, n: int = 3
) -> list[schedule.PractitionerSlot]:
    """The nearest free slots to `wanted`, looking a week either side."""
    day = clock.today(wanted)
    slots = schedule.free_slots(
        **search,
        practitioner=practitioner,
        first_day=day - datetime.timedelta(days=7),
        last_day=day + datetime.timedelta(days=7),
    )
    return schedule.nearest_slots(slots, wanted, n)


def match_patient(details: PatientDetails) -> Patient:
    """The patient an address belongs to, or a new one; a returning patient's record is never changed here.

    Anyone can type anyone's address, so a booking is no proof of identity: the details given
    are kept on the appointment, and where they differ staff confirm them (see `confirm_given_details`).
    """
    patient = Patient.objects.filter(email__iexact=details.email, erased_at__isnull=True).order_by("pk").first()
    if patient is None:
        patient = Patient.objects.create(
            email=details.email,
            name=details.name,
            phone=details.phone,
            date_of_birth=details.date_of_birth,
            marketing_consent=details.marketing_consent,
        )
    return patient


def confirm_given_details(*, appointment: Appointment, apply: bool) -> Appointment:
    """Staff's answer to a booking whose details differ: copy them onto the patient's record, or keep the record."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("patient").get(pk=appointment.pk)
        if apply:
            patient = appointment.patient
            for field, _, given in appointment.given_details_differences():
                setattr(patient, field, given)
            # simple_history (untyped) reads `_change_reason` off the instance it saves; no model declares it.
            patient._change_reason = (  # type: ignore[attr-defined]
                f"Details given at booking {appointment.reference} confirmed by staff"
            )
            patient.save()
        appointment.details_to_confirm = False
        appointment.save(update_fields=["details_to_confirm"])
    return appointment


def book_consultation(
    *,
    consultation_type: ConsultationType,
    practitioner: Practitioner | None,
    starts_at: datetime.datetime,
    details: PatientDetails,
    answers: Mapping[str, str],
    notes: str,
    idempotency_key: str,
    now: datetime.datetime,
    patient: Patient | None = None,
    override_rules: bool = False,
    notify: bool = True,
    booked_by: str = "",
) -> Appointment:
    """Book a consultation and queue its emails; the same idempotency key books once.

    `practitioner` None means "no preference": the first practitioner free at that time.
    Raises SlotUnavailable (with alternatives) when the time is not, or no longer, free.
    The front desk passes the `patient` it chose, may relax the minimum notice and the online
    horizon (`override_rules`, recorded in the appointment's history), and may send no email
    at all (`notify=False`); `booked_by` names the staff member in the history.
    """
    search: SlotSearch = {
        "consultation_type": consultation_type,
        "now": now,
        "rules": schedule.desk_rules() if override_rules else None,
    }
    try:
        with transaction.atomic():
            slot = check_slot(**search, practitioner=practitioner, starts_at=starts_at)
            appointment = Appointment(
                patient=patient or match_patient(details),
                given_name=details.name,
                given_phone=details.phone,
                given_date_of_birth=details.date_of_birth,
                given_marketing_consent=details.marketing_consent,
                practitioner=slot.practitioner,
                consultation_type=consultation_type,
                starts_at=slot.start,
                ends_at=slot.end,
                blocks_until=slot.end + consultation_type.buffer,
                notes=notes,
                privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
                consented_at=now,
                idempotency_key=idempotency_key,
            )
            appointment.details_to_confirm = bool(appointment.given_details_differences())
            if booked_by:
                # simple_history reads `_change_reason` off the instance it saves.
                reason = _desk_reason(booked_by, slot.start, notify=notify, now=now)
                appointment._change_reason = reason  # type: ignore[attr-defined]
            appointment.save()
            Questionnaire.objects.create(appointment=appointment, **answers)
            if notify:
                _queue_booking_emails(appointment, template="booking_confirmed", now=now, new_appointment=True)
    except SlotUnavailable:
        # Booked already under this key (submitted again: its own booking took the time): that
        # booking. Looked up only when booking fails, so a booking that goes through costs no query.
        existing = Appointment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        raise
    except RACE_ERRORS as error:
        # A concurrent booking won the race (exclusion or unique constraint, or a deadlock between
        # the two), or the same form was submitted twice at once (or again, and another practitioner
        # was free): the second finds the first's appointment.
        if not lost_race(error):
            raise
        existing = Appointment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        raise SlotUnavailable(
            "That time was just taken by someone else.", alternatives=alternatives(search, starts_at, practitioner)
        ) from None
    return appointment


def _desk_reason(booked_by: str, starts_at: datetime.datetime, *, notify: bool, now: datetime.datetime) -> str:
    """The history's note on a booking made by staff: who, whether the online rules were overridden, no email."""
    reason = f"Booked at the front desk by {booked_by}"
    if not schedule.within_online_rules(starts_at, now=now):
        reason += ", overriding the minimum notice or online horizon"
    return reason + ("" if notify else "; patient not emailed")


def cancel_appointment(
    *, appointment: Appointment, by_clinic: bool, now: datetime.datetime, reason: str = ""
) -> Appointment:
    """Cancel, drop the pending emails and tell the patient."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != Appointment.Status.BOOKED:
            return appointment
        if not by_clinic and not can_change_online(appointment, now=now):
            raise TooLateToChange
        appointment.status = (
            Appointment.Status.CANCELLED_BY_CLINIC if by_clinic else Appointment.Status.CANCELLED_BY_PATIENT
        )
        appointment.cancelled_at = now
        appointment.sequence += 1  # the calendar's copy is replaced by the cancel
        appointment.save(update_fields=["status", "cancelled_at", "sequence"])
        _revoke_manage_links(appointment)
        outbox.cancel_pending(cause=cause_of(appointment))
        outbox.queue_email(
            to=appointment.patient.email,
            template="booking_cancelled",
            context={"appointment": appointment, "by_clinic": by_clinic, "reason": reason},
            kind="booking_cancelled",
            cause=cause_of(appointment),
            idempotency_key=f"booking_cancelled:{appointment.pk}",
            # METHOD:CANCEL with the same UID and a higher SEQUENCE: the calendar drops the event.
            attachments=[("appointment.ics", appointment_ics(appointment, stamp=now), "text/calendar")],
        )
    return appointment


def reschedule_appointment(
    *,
    appointment: Appointment,
    starts_at: datetime.datetime,
    now: datetime.datetime,
    practitioner: Practitioner | None = None,
    by_clinic: bool = False,
) -> Appointment:
    """Move to a new free time (same consultation type); the emails are replaced."""
    try:
        with transaction.atomic():
            appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if appointment.status != Appointment.Status.BOOKED:
                raise SlotUnavailable("Only a booked appointment can be moved.")
            if not appointment.can_be_moved(now=now):
                raise SlotUnavailable("An appointment that has started cannot be moved.")
            if not by_clinic and not can_change_online(appointment, now=now):
                raise TooLateToChange
            slot = check_slot(
                consultation_type=appointment.consultation_type,
                practitioner=practitioner or appointment.practitioner,
                starts_at=starts_at,
                now=now,
                ignore_appointment=appointment,
            )
            previous_start = appointment.starts_at
            appointment.practitioner = slot.practitioner
            appointment.starts_at = slot.start
            appointment.ends_at = slot.end
            appointment.blocks_until = slot.end + appointment.consultation_type.buffer
            appointment.sequence += 1  # the calendar updates its event instead of adding one
            appointment.save()
            _revoke_manage_links(appointment)
            outbox.cancel_pending(cause=cause_of(appointment))
            _queue_booking_emails(
                appointment, template="booking_rescheduled", now=now, extra={"previous_start": previous_start}
            )
    except RACE_ERRORS as error:
        if not lost_race(error):
            raise
        search: SlotSearch = {
            "consultation_type": appointment.consultation_type,
            "now": now,
            "ignore_appointment": appointment,
        }
        raise SlotUnavailable(
            "That time was just taken by someone else.",
            alternatives=alternatives(search, starts_at, practitioner or appointment.practitioner),
        ) from None
    return appointment


def resend_confirmation(*, appointment: Appointment, now: datetime.datetime) -> None:
    """Send the confirmation again, with a fresh manage link (the old ones stop working)."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _revoke_manage_links(appointment)
        outbox.queue_email(
            to=appointment.patient.email,
            template="booking_confirmed",
            context=_email_context(appointment, now=now),
            kind="booking_confirmed",
            cause=cause_of(appointment),
            idempotency_key=f"booking_confirmed:{appointment.pk}:resend:{now.timestamp()}",
            attachments=[("appointment.ics", appointment_ics(appointment, stamp=now), "text/calendar")],
        )


def cause_of(appointment: Appointment) -> str:
    return f"appointment:{appointment.pk}"


def manage_url(token: str) -> str:
    return absolute_reverse("manage:page", token)


def _email_context(appointment: Appointment, *, now: datetime.datetime) -> dict[str, Any]:
    """What booking emails say; they promise an online change only when the booking still allows one."""
    return {
        "appointment": appointment,
        "manage_url": manage_url(MANAGE_LINK_PLACEHOLDER),
        "cancellation_cutoff_hours": settings.CLINIC_CANCELLATION_CUTOFF_HOURS,
        "can_change_online": can_change_online(appointment, now=now),
        "change_deadline": timing.change_deadline(appointment.starts_at),
    }


def _queue_booking_emails(
    appointment: Appointment,
    *,
    template: str,
    now: datetime.datetime,
    extra: Mapping[str, Any] | None = None,
    new_appointment: bool = False,
) -> None:
    context = {**_email_context(appointment, now=now), **(extra or {})}
    cause = cause_of(appointment)
    emails.queue(appointment, template=template, context=context, cause=cause, now=now, new_appointment=new_appointment)
