"""One set of timing rules for a booking: minimum notice, the online change cut-off, the reminder.

- **Minimum notice** (`CLINIC_BOOKING_MIN_NOTICE_HOURS`): the earliest a slot can be booked online.
- **Change cut-off** (`CLINIC_CANCELLATION_CUTOFF_HOURS`): online moves and cancels stop this many
  hours before; after it the patient phones.
- **Reminder** (`CLINIC_BOOKING_REMINDER_HOURS`): the reminder email goes this many hours before.

They must agree: the reminder goes *before* the cut-off (reminder > cut-off), so the "change it
with your link" it offers still works, and the cut-off is not negative. The start-up check below
refuses any other combination. The cut-off may be more than the minimum notice (the defaults are
12 and 24 hours): then a slot between the two can be booked but never changed online. Such a slot
is labelled "can't be changed online" in the time picker and on the review step, its confirmation
promises no online change, and it gets no reminder when the reminder time has already passed.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import checks

CANNOT_CHANGE_ONLINE = "can't be changed online"


@dataclass(frozen=True)
class Timing:
    min_notice_hours: int
    cutoff_hours: int
    reminder_hours: int

    @property
    def cutoff(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.cutoff_hours)

    @property
    def reminder(self) -> datetime.timedelta:
        return datetime.timedelta(hours=self.reminder_hours)


def current() -> Timing:
    return Timing(
        min_notice_hours=settings.CLINIC_BOOKING_MIN_NOTICE_HOURS,
        cutoff_hours=settings.CLINIC_CANCELLATION_CUTOFF_HOURS,
        reminder_hours=settings.CLINIC_BOOKING_REMINDER_HOURS,
    )


def problems(timing: Timing) -> list[str]:
    """What is wrong with a combination of the three settings (empty when they agree)."""
    found = []
    if timing.min_notice_hours < 0:
        found.append(f"CLINIC_BOOKING_MIN_NOTICE_HOURS is {timing.min_notice_hours}: it cannot be negative.")
    if timing.cutoff_hours < 0:
        found.append(f"CLINIC_CANCELLATION_CUTOFF_HOURS is {timing.cutoff_hours}: it cannot be negative.")
    if timing.reminder_hours <= timing.cutoff_hours:
        found.append(
            f"CLINIC_BOOKING_REMINDER_HOURS ({timing.reminder_hours}) must be more than "
            f"CLINIC_CANCELLATION_CUTOFF_HOURS ({timing.cutoff_hours}): the reminder offers an online "
            "change, so it has to arrive before online changes stop."
        )
    return found


def change_deadline(starts_at: datetime.datetime, timing: Timing | None = None) -> datetime.datetime:
    """The last moment an appointment starting then can be changed online (exclusive)."""
    return starts_at - (timing or current()).cutoff


def inside_cutoff(starts_at: datetime.datetime, *, now: datetime.datetime, timing: Timing | None = None) -> bool:
    """True when an appointment starting then can no longer be changed online."""
    return change_deadline(starts_at, timing) <= now


def reminder_time(
    starts_at: datetime.datetime, *, now: datetime.datetime, timing: Timing | None = None
) -> datetime.datetime | None:
    """When to send the reminder, or None when that time has passed (booked late: no reminder)."""
    remind_at = starts_at - (timing or current()).reminder
    return remind_at if remind_at > now else None


@checks.register(checks.Tags.compatibility)
def check_timing(app_configs=None, **kwargs):
    return [checks.Error(message, id="clinic.E151") for message in problems(current())]
