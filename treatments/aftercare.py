"""Aftercare programmes: the emails a treatment's steps send, on the right local days."""

import datetime
import hashlib
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings

from clinic import outbox

from .models import AftercareStep


def cause_of(record):
    return f"treatment_record:{record.pk}"


def send_time(record, step):
    """The step's local send time on its day, as an aware datetime (DST-correct)."""
    tz = ZoneInfo(settings.CLINIC_TIME_ZONE)
    day = record.performed_at.astimezone(tz).date() + datetime.timedelta(days=step.day_offset)
    return datetime.datetime.combine(day, step.send_time, tz)


def start_programme(record, *, now):
    """Queue every active step's email; a step whose time has passed goes at once."""
    token = secrets.token_urlsafe(32)
    record.aftercare_token_hash = hashlib.sha256(token.encode()).hexdigest()
    record.save(update_fields=["aftercare_token_hash"])
    for step in AftercareStep.objects.filter(treatment=record.treatment, active=True):
        outbox.queue_email(
            to=record.patient.email,
            template="aftercare_step",
            context={"record": record, "step": step, "token": token},
            kind="aftercare",
            category=outbox.Category.AFTERCARE,
            cause=cause_of(record),
            idempotency_key=f"aftercare:{record.pk}:{step.pk}",
            send_after=max(send_time(record, step), now),
            now=now,
        )


def stop_programme(record, *, reason, now):
    """Cancel the aftercare emails not sent yet."""
    outbox.cancel_pending(cause=cause_of(record), reason=reason)
