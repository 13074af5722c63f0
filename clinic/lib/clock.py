"""The clinic's clock: its time zone, "today" there, and the bounds of its days.

Times are stored in UTC; days, opening hours and "today" are the clinic's (CLINIC_TIME_ZONE),
whatever zone the server runs in. Domain code takes `now` as a parameter; this is where a
moment becomes a clinic date.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

# How far from today any page looks for a day or a time (agenda, exports, slots asked for): years of
# diary either way, never year 1 or 9999, where date arithmetic overflows.
DIARY_REACH = datetime.timedelta(days=366 * 20)


def clinic_tz() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


def local(moment: datetime.datetime) -> datetime.datetime:
    """An aware moment as the clinic's wall-clock time."""
    return moment.astimezone(clinic_tz())


def today(now: datetime.datetime) -> datetime.date:
    """The clinic's date at `now`."""
    return local(now).date()


def at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The aware moment of a clinic-local day and time (the first, in an autumn repeated hour)."""
    return datetime.datetime.combine(day, time, clinic_tz())


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The aware start of a clinic-local day and of the next (23 or 25 hours apart on change days)."""
    return at(day, datetime.time()), at(day + datetime.timedelta(days=1), datetime.time())


def within_diary(moment: datetime.date | datetime.datetime, *, now: datetime.datetime) -> bool:
    """Is this date or time within DIARY_REACH of now?"""
    if isinstance(moment, datetime.datetime):
        return abs(moment - now) <= DIARY_REACH
    return today(now) - DIARY_REACH <= moment <= today(now) + DIARY_REACH
