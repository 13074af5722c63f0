"""Aftercare programmes: each step's email on its local day and time, check-ins, and the patient's page.

Every email is an outbox row queued with the treatment record (one transaction). Its content is
rendered again just before it is sent (`render_for_sending`, registered with the outbox), so an
editor's correction reaches emails already scheduled, and the version that went out is kept on
its AftercareDelivery. Links in the email carry a random token minted at that moment; the
database keeps only its SHA-256 (AftercareLink).
"""

import datetime
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from clinic import outbox, tokens
from clinic.emails import absolute_url, render_email

from . import seed
from .help import help_levels
from .markdown import render_markdown
from .models import PLACEHOLDERS, AftercareCheckIn, AftercareDelivery, AftercareLink, AftercareStep, TreatmentPage

KIND = "aftercare"
CONCERN_KIND = "aftercare_concern"
TEMPLATE = "aftercare_step"
# Stored bodies hold this in place of the link token; the outbox puts the real one in at sending.
LINK_PLACEHOLDER = "aftercare-link-token-placeholder"  # noqa: S105 (a placeholder, not a secret)
# Links keep working this long after the programme's last email.
LINK_GRACE = datetime.timedelta(days=14)
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def cause_of(record):
    return f"treatment_record:{record.pk}"


def clinic_tz():
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def send_time(record, step):
    """The step's local send time on its day after the treatment, as an aware datetime.

    Days are counted in the clinic's calendar, so 09:00 stays 09:00 across a DST change. A time
    inside the hour skipped in spring comes out an hour later; in the repeated autumn hour, the
    first one.
    """
    tz = clinic_tz()
    day = record.performed_at.astimezone(tz).date() + datetime.timedelta(days=step.day_offset)
    return datetime.datetime.combine(day, step.send_time, tz).astimezone(datetime.UTC)


def fill_placeholders(text):
    """Put the clinic's details into {clinic_phone} and the other known placeholders; other braces stay."""
    s = settings
    values = {
        "clinic_name": s.CLINIC_NAME,
        "clinic_phone": s.CLINIC_PHONE,
        "urgent_phone": s.CLINIC_URGENT_PHONE,
        "advice_service": s.CLINIC_OUT_OF_HOURS_ADVICE,
        "emergency_number": s.CLINIC_EMERGENCY_NUMBER,
        "emergency_department": s.CLINIC_EMERGENCY_DEPARTMENT,
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def email_context(step, token):
    """What the aftercare email shows: the step's heading and text, its help levels, the patient's links."""
    body = fill_placeholders(step.body)
    return {
        "step_title": step.title,
        "body_text": body,
        "body_html": render_markdown(body),
        "help_levels": help_levels(step.levels),
        "page_url": absolute_url(reverse("treatments:aftercare", args=[token])),
        "ok_url": absolute_url(reverse("treatments:aftercare_check_in", args=[token, AftercareCheckIn.Feeling.OK])),
        "worried_url": absolute_url(
            reverse("treatments:aftercare_check_in", args=[token, AftercareCheckIn.Feeling.WORRIED])
        ),
    }


def _steps(record):
    return list(AftercareStep.objects.filter(treatment_id=record.treatment_id, active=True).order_by("day_offset"))


# --- Starting and stopping ------------------------------------------------


def start_programme(record, *, now):
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


def stop_programme(record, *, reason, now):
    """Cancel the aftercare emails not sent yet (voided record, erased patient, re-planned record); return how many."""
    return outbox.cancel_pending(cause=cause_of(record), kinds=[KIND], reason=reason)


# --- Sending ----------------------------------------------------------------


def render_for_sending(row, *, now):
    """The outbox's hook for aftercare rows: the step as it is now, with fresh links; None to withdraw it."""
    delivery = AftercareDelivery.objects.select_related("record__patient", "step").filter(outbox=row).first()
    step = delivery and delivery.step
    if step is None or not step.active or step.treatment_id != delivery.record.treatment_id:
        return None
    record = delivery.record
    if record.is_void or record.patient.erased_at:
        return None
    token = _new_link(record, step, now=now)
    context = {
        **email_context(step, LINK_PLACEHOLDER),
        "unsubscribe_url": outbox.unsubscribe_url(outbox.TOKEN_PLACEHOLDER),
    }
    subject, text, html = render_email(TEMPLATE, context)
    AftercareDelivery.objects.filter(pk=delivery.pk).update(version=step.version, rendered_at=now)
    return subject, text, html, {LINK_PLACEHOLDER: token}


# --- Patient links ------------------------------------------------------------


def links_expire_at(record):
    """Two weeks after the programme's last email (or after the treatment, if it has no steps)."""
    steps = _steps(record)
    last = send_time(record, steps[-1]) if steps else record.performed_at
    return last + LINK_GRACE


def _new_link(record, step, *, now):
    token = tokens.new_token()
    AftercareLink.objects.create(
        record=record, step=step, token_hash=tokens.digest(token), created_at=now, expires_at=links_expire_at(record)
    )
    return token


def link_for_token(token, *, now):
    """The live link a token belongs to, with its record; None if unknown, expired, voided or erased."""
    link = (
        AftercareLink.objects.select_related("record__patient", "record__treatment")
        .filter(token_hash=tokens.digest(token), expires_at__gt=now)
        .first()
    )
    if link is None or link.record.is_void or link.record.patient.erased_at:
        return None
    return link


def programme(record, *, now):
    """The record's steps for the patient's page: (so_far, coming), each a list of (step, due_at)."""
    steps = [(step, send_time(record, step)) for step in _steps(record)]
    return [s for s in steps if s[1] <= now], [s for s in steps if s[1] > now]


def has_unsubscribed(record):
    return outbox.is_opted_out(record.patient.email, outbox.Category.AFTERCARE)


# --- Check-ins ----------------------------------------------------------------


def check_in(*, link, feeling, message, now):
    """Record the patient's answer; a worry also tells the clinic's inbox, in the same transaction."""
    with transaction.atomic():
        answer = AftercareCheckIn.objects.create(
            record=link.record, step=link.step, feeling=feeling, message=message.strip(), created_at=now
        )
        if feeling == AftercareCheckIn.Feeling.WORRIED:
            _tell_the_clinic(answer, now=now)
    return answer


def _tell_the_clinic(answer, *, now):
    # Only a link: the inbox may be read on a shared screen, so no name and nothing clinical.
    outbox.queue_email(
        to=settings.CLINIC_INBOX_EMAIL,
        template=CONCERN_KIND,
        context={"admin_url": absolute_url(reverse("admin:treatments_aftercarecheckin_change", args=[answer.pk]))},
        kind=CONCERN_KIND,
        cause=f"aftercare_checkin:{answer.pk}",
        idempotency_key=f"{CONCERN_KIND}:{answer.pk}",
        now=now,
    )


# --- Initial content ----------------------------------------------------------


def load_aftercare_steps(*, step_model=AftercareStep, page_model=TreatmentPage):
    """Create the seed's aftercare steps that are missing, awaiting clinical review; return how many.

    Idempotent, and an edited step is never overwritten. The migration passes its historical models.
    """
    created = 0
    for data in seed.TREATMENTS:
        page = page_model.objects.filter(slug=data["slug"]).first()
        if page is None:
            continue
        for step in data.get("aftercare_steps", ()):
            levels = ",".join(step["help_levels"])
            if levels not in AftercareStep.HelpLevels.values:
                raise ValueError(f"{data['slug']} day {step['day']}: no help-level choice {levels!r}")
            _, made = step_model.objects.get_or_create(
                treatment=page,
                day_offset=step["day"],
                defaults={
                    "send_time": datetime.time.fromisoformat(step["send_time"]),
                    "title": step["title"],
                    "body": step["body"],
                    "help_levels": levels,
                },
            )
            created += made
    return created
