"""The clinic's clock: its zone, its days and "today", whatever zone the server runs in."""

import datetime
from zoneinfo import ZoneInfo

from clinic.lib import clock

LONDON = ZoneInfo("Europe/London")


def test_today_is_the_clinic_date_not_the_servers(settings):
    late_in_utc = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # 00:30 on 1 July in London
    assert clock.today(late_in_utc) == datetime.date(2026, 7, 1)
    settings.CLINIC_TIME_ZONE = "America/New_York"
    assert clock.today(late_in_utc) == datetime.date(2026, 6, 30)


def test_a_day_is_23_or_25_hours_on_the_change_days():
    spring_start, spring_end = clock.day_bounds(datetime.date(2026, 3, 29))
    autumn_start, autumn_end = clock.day_bounds(datetime.date(2026, 10, 25))
    # Elapsed time is measured in UTC: Python subtracts two times of one zone as wall-clock times.
    utc = datetime.UTC
    assert spring_end.astimezone(utc) - spring_start.astimezone(utc) == datetime.timedelta(hours=23)
    assert autumn_end.astimezone(utc) - autumn_start.astimezone(utc) == datetime.timedelta(hours=25)
    assert clock.local(spring_start).hour == 0 and spring_start.tzinfo == LONDON


def test_at_is_the_local_wall_clock_time():
    nine = clock.at(datetime.date(2026, 7, 1), datetime.time(9))
    assert nine.astimezone(datetime.UTC).hour == 8  # BST


def test_the_diary_reaches_twenty_years_either_way_never_year_one_or_9999():
    now = datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC)
    assert clock.within_diary(datetime.date(2040, 1, 1), now=now)
    assert not clock.within_diary(datetime.date(9999, 12, 31), now=now)
    assert not clock.within_diary(datetime.date(1, 1, 1), now=now)
    assert not clock.within_diary(datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC), now=now)
