"""After a treatment: recording it, its aftercare emails on their local days, the patient's links and check-ins.

Recording a treatment queues each of its aftercare steps as an outbox row in the same
transaction. Each email is rendered again just before it is sent (`render_for_sending`,
registered with the outbox), so an editor's correction reaches emails already scheduled, and
the version that went out is kept on its AftercareDelivery. Links in the email carry a random
token made at that moment; the database keeps only its SHA-256 (AftercareLink).
"""

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from treatments import review
from treatments.help import help_levels
from treatments.markdown import render_markdown
from treatments.models import AftercareStep, TreatmentPage

from ..lib import clock, tokens
from ..lib.links import absolute_reverse
from ..mail import outbox, unsubscribe
from ..mail.rendering import render_email
from ..models import (
    AftercareCheckIn,
    AftercareDelivery,
    AftercareLink,
    Appointment,
    Outbox,
    Patient,
    Practitioner,
    TreatmentRecord,
)
from . import concerns

KIND = "aftercare"
TEMPLATE = "aftercare_step"
# Stored bodies hold this in place of the link token; the outbox puts the real one in at sending.
LINK_PLACEHOLDER = "aftercare-link-token-placeholder"  # noqa: S105 (a placeholder, not a secret)
# Links keep working this long after the programme's last email.
LINK_GRACE = datetime.timedelta(days=14)

# A programme step and its send time.
ScheduledStep = tuple[AftercareStep, datetime.datetime]


def cause_of(record: TreatmentRecord) -> str:
    return f"treatment_record:{record.pk}"


# --- Recording -------------------------------------------------------------


def record_treatment(
    *,
    patient: Patient,
    treatment: TreatmentPage,
    practitioner: Practitioner,
    performed_at: datetime.datetime,
    notes: str = "",
    appointment: Appointment | None = None,
    by: User | None = None,
    now: datetime.datetime,
) -> TreatmentRecord:
    """Record a treatment and schedule its aftercare emails, in one transaction."""
    with transaction.atomic():
        record = TreatmentRecord.objects.create(
            appointment=appointment,
            patient=patient,
            treatment=treatment,
            practitioner=practitioner,
            performed_at=performed_at,
            notes=notes,
            created_by=by,
        )
        start_programme(record, now=now)
    return record


def update_treatment_record(
    *,
    record: TreatmentRecord,
    treatment: TreatmentPage,
    practitioner: Practitioner,
    performed_at: datetime.datetime,
    notes: str,
    now: datetime.datetime,
) -> TreatmentRecord:
    """Correct a record; a changed treatment or time re-plans the aftercare still to come."""
    with transaction.atomic():
        record = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        replan = (record.treatment_id, record.performed_at) != (treatment.pk, performed_at)
        record.treatment = treatment
        record.practitioner = practitioner
        record.performed_at = performed_at
        record.notes = notes
        record.save()
        if replan and not record.is_void:
            stop_programme(record, reason="Treatment record changed", now=now)
            start_programme(record, now=now)
    return record


def void_treatment_record(*, record: TreatmentRecord, reason: str, now: datetime.datetime) -> TreatmentRecord:
    """Mark a record as entered in error: its pending aftercare emails are cancelled."""
    with transaction.atomic():
        record = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        if record.is_void:
            return record
        record.voided_at = now
        record.void_reason = reason
        record.save(update_fields=["voided_at", "void_reason"])
        stop_programme(record, reason="Treatment record voided", now=now)
    return record


# --- The programme ---------------------------------------------------------


def send_time(record: TreatmentRecord, step: AftercareStep) -> datetime.datetime:
    """The step's local send time on its day after the treatment, as an aware datetime.

    Days are counted in the clinic's calendar, so 09:00 stays 09:00 across a DST change. A time
    inside the hour skipped in spring comes out an hour later; in the repeated autumn hour, the
    first one.
    """
    day = clock.today(record.performed_at) + datetime.timedelta(days=step.day_offset)
    return clock.at(day, step.send_time).astimezone(datetime.UTC)


def email_context(step: AftercareStep, token: str) -> dict[str, Any]:
    """What the aftercare email shows: the step's heading and text, its help levels, the patient's links."""
    body = step.filled_body()
    return {
        "step_title": step.title,
        "body_text": body,
        "body_html": render_markdown(body),
        "help_levels": help_levels(step.levels),
        "page_url": absolute_reverse("aftercare:page", token),
        "ok_url": absolute_reverse("aftercare:check_in", token, AftercareCheckIn.Feeling.OK),
        "worried_url": absolute_reverse("aftercare:check_in", token, AftercareCheckIn.Feeling.WORRIED),
    }


def _steps(record: TreatmentRecord) -> list[AftercareStep]:
    return list(AftercareStep.objects.filter(treatment_id=record.treatment_id, active=True).order_by("day_offset"))


# --- Starting and stopping ------------------------------------------------


def start_programme(record: TreatmentRecord, *, now: datetime.datetime) -> None:
    """Queue every active step's email at its local send time; call it in the record's transaction.

    Idempotent: a step already queued (or sent) for this record is not queued again. A step
    whose time has passed goes at once, unless a later step's time has passed too: then only
    the latest goes, and its link shows the earlier instructions, rather than a burst of
    out-of-date emails.
    """
    if record.is_void or record.patient.erased_at:
        return
    steps = [(step, send_time(record, step)) for step in _steps(record)]
    passed = [step for step, due in steps if due <= now]
    superseded = set(passed[:-1])
    for step, due in steps:
        if step in superseded:
            continue
        row = outbox.queue_email(
            to=record.patient.email,
            template=TEMPLATE,
            context=email_context(step, LINK_PLACEHOLDER),
            kind=KIND,
            category=outbox.Category.AFTERCARE,
            cause=cause_of(record),
            idempotency_key=f"aftercare:{record.pk}:{step.pk}",
            send_after=max(due, now),
            now=now,
        )
        AftercareDelivery.objects.update_or_create(
            record=record, step=step, defaults={"outbox": row, "day_offset": step.day_offset, "due_at": due}
        )


def stop_programme(record: TreatmentRecord, *, reason: str, now: datetime.datetime) -> int:
    """Cancel the aftercare emails not sent yet (voided record, erased patient, re-planned record); return how many."""
    return outbox.cancel_pending(cause=cause_of(record), kinds=[KIND], reason=reason)


# --- Sending ----------------------------------------------------------------


def render_for_sending(row: Outbox, *, now: datetime.datetime) -> outbox.RenderedParts | None:
    """The outbox's hook for aftercare rows: the step as it is now, with fresh links; None to withdraw it."""
    delivery = AftercareDelivery.objects.select_related("record__patient", "step").filter(outbox=row).first()
    step = delivery.step if delivery is not None else None
    if delivery is None or step is None or not step.active or step.treatment_id != delivery.record.treatment_id:
        return None
    record = delivery.record
    if record.is_void or record.patient.erased_at:
        return None
    if not review.is_live(step, now=now):
        hold(delivery, reason=review.STATES[review.sign_off_state(step, now=now)], now=now)
    token = new_link(record, step, now=now)
    context = {
        **email_context(step, LINK_PLACEHOLDER),
        "unsubscribe_url": unsubscribe.unsubscribe_url(unsubscribe.TOKEN_PLACEHOLDER),
    }
    subject, text, html = render_email(TEMPLATE, context)
    AftercareDelivery.objects.filter(pk=delivery.pk).update(version=step.version, rendered_at=now)
    return subject, text, html, {LINK_PLACEHOLDER: token}


HELD = "Held: "


def hold(delivery: AftercareDelivery, *, reason: str, now: datetime.datetime) -> None:
    """Keep an email whose step is not signed off from the patient; record why. The programme goes on."""
    AftercareDelivery.objects.filter(pk=delivery.pk).update(held_at=now, held_reason=reason[:200])
    raise outbox.Withhold(HELD + reason)


# --- Patient links ------------------------------------------------------------


def links_expire_at(record: TreatmentRecord) -> datetime.datetime:
    """Two weeks after the programme's last email (or after the treatment, if it has no steps)."""
    steps = _steps(record)
    last = send_time(record, steps[-1]) if steps else record.performed_at
    return last + LINK_GRACE


def new_link(record: TreatmentRecord, step: AftercareStep, *, now: datetime.datetime) -> str:
    token = tokens.new_token()
    AftercareLink.objects.create(
        record=record, step=step, token_hash=tokens.digest(token), created_at=now, expires_at=links_expire_at(record)
    )
    return token


def link_for_token(token: str, *, now: datetime.datetime) -> AftercareLink | None:
    """The live link a token belongs to, with its record; None if unknown, expired, voided or erased."""
    link = (
        AftercareLink.objects.select_related("record__patient", "record__treatment")
        .filter(token_hash=tokens.digest(token), expires_at__gt=now)
        .first()
    )
    if link is None or link.record.is_void or link.record.patient.erased_at:
        return None
    return link


def programme(record: TreatmentRecord, *, now: datetime.datetime) -> tuple[list[ScheduledStep], list[ScheduledStep]]:
    """The record's steps for the patient's page: (so_far, coming), each a list of (step, due_at).

    Only signed-off steps: a step held back from email is not shown on the page either.
    """
    steps = [(step, send_time(record, step)) for step in _steps(record) if review.is_live(step, now=now)]
    return [s for s in steps if s[1] <= now], [s for s in steps if s[1] > now]


def has_unsubscribed(record: TreatmentRecord) -> bool:
    return unsubscribe.is_opted_out(record.patient.email, outbox.Category.AFTERCARE)


# --- Check-ins ----------------------------------------------------------------


def check_in(*, link: AftercareLink, feeling: str, message: str, now: datetime.datetime) -> AftercareCheckIn:
    """Record the patient's answer; a worry also alerts the clinicians, in the same transaction."""
    with transaction.atomic():
        answer = AftercareCheckIn.objects.create(
            record=link.record, step=link.step, feeling=feeling, message=message.strip(), created_at=now
        )
        if feeling == AftercareCheckIn.Feeling.WORRIED:
            concerns.alert_clinicians(answer, now=now)
    return answer
