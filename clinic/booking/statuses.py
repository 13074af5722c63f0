"""Attended, did not attend, and taking it back: statuses that follow the clock."""

import datetime

from django.db import transaction

from ..mail import outbox
from ..models import Appointment
from .services import cause_of


class StatusNotAllowed(Exception):
    """The appointment cannot take that status now (not started yet, cancelled, or another day)."""


def _reasoned_save(appointment: Appointment, reason: str) -> None:
    # simple_history reads `_change_reason` off the instance it saves.
    appointment._change_reason = reason  # type: ignore[attr-defined]
    appointment.save(update_fields=["status"])


def set_status(*, appointment: Appointment, status: str, now: datetime.datetime) -> Appointment:
    """Mark attended or did not attend, once the appointment has started; its reminder is dropped."""
    if status not in Appointment.MARKED_STATUSES:
        raise ValueError(f"set_status marks attended or did not attend, not {status!r}")
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not appointment.can_be_marked(now=now):
            raise StatusNotAllowed(
                "Only an appointment that has started can be marked."
                if appointment.is_active
                else "A cancelled appointment cannot be marked."
            )
        appointment.status = status
        _reasoned_save(appointment, f"Marked {Appointment.Status(status).label.lower()}")
        outbox.cancel_pending(cause=cause_of(appointment), kinds=["booking_reminder"])
    return appointment


def undo_status(*, appointment: Appointment, now: datetime.datetime) -> Appointment:
    """Back to booked, on the appointment's own clinic day (a mistake at the desk).

    The reminder stays cancelled: the appointment has started, so its time (48 hours before, by default) is long past.
    """
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not appointment.can_undo_marking(now=now):
            raise StatusNotAllowed("Only an attended or did-not-attend mark made today can be undone.")
        was = appointment.get_status_display().lower()
        appointment.status = Appointment.Status.BOOKED
        _reasoned_save(appointment, f"Undone: was marked {was}, back to booked")
    return appointment
