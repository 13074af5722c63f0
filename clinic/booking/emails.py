"""A booking's emails: the confirmation (or change notice) now, and the reminder before the cut-off."""

import datetime
from collections.abc import Mapping
from typing import Any

from ..mail import outbox
from ..models import Appointment
from . import timing
from .ics import appointment_ics


def queue(
    appointment: Appointment,
    *,
    template: str,
    context: Mapping[str, Any],
    cause: str,
    now: datetime.datetime,
    new_appointment: bool = False,
) -> None:
    """Both in one INSERT (`outbox.queue_emails`), keyed on the appointment's version.

    `new_appointment`: booked in this transaction, so nothing is stored under its keys yet.
    """
    version = f"{appointment.sequence}:{int(appointment.starts_at.timestamp())}"
    common = {"to": appointment.patient.email, "context": context, "cause": cause, "now": now}
    rows = [
        outbox.new_row(
            **common,
            template=template,
            kind=template,
            idempotency_key=f"{template}:{appointment.pk}:{version}",
            attachments=[("appointment.ics", appointment_ics(appointment, stamp=now), "text/calendar")],
        )
    ]
    remind_at = timing.reminder_time(appointment.starts_at, now=now)
    if remind_at is not None:
        rows.append(
            outbox.new_row(
                **common,
                template="booking_reminder",
                kind="booking_reminder",
                idempotency_key=f"booking_reminder:{appointment.pk}:{version}",
                send_after=remind_at,
            )
        )
    outbox.queue_emails(rows, now=now, new_cause=new_appointment)
