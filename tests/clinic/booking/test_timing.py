"""One coherent set of timing rules: minimum notice, the online change cut-off and the reminder.

The hypothesis tests go over every combination of the three settings: the start-up check accepts
exactly the coherent ones; the reminder always goes before the cut-off, while the link it carries
still works; and a free slot is labelled "can't be changed online" exactly when it is inside the cut-off.
"""

import datetime

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.booking import schedule, timing
from clinic.booking import services as booking
from clinic.models import Outbox
from tests.clinic_fixtures import NOW, TUESDAY, at
from tests.helpers import soup

HOURS = st.integers(min_value=-3, max_value=80)


def timing_settings(min_notice, cutoff, reminder):
    return override_settings(
        CLINIC_BOOKING_MIN_NOTICE_HOURS=min_notice,
        CLINIC_CANCELLATION_CUTOFF_HOURS=cutoff,
        CLINIC_BOOKING_REMINDER_HOURS=reminder,
    )


def coherent(min_notice, cutoff, reminder):
    return reminder > cutoff >= 0 and min_notice >= 0


@given(min_notice=HOURS, cutoff=HOURS, reminder=HOURS)
def test_the_start_up_check_accepts_exactly_the_coherent_combinations(min_notice, cutoff, reminder):
    with timing_settings(min_notice, cutoff, reminder):
        errors = timing.check_timing()
    assert (errors == []) == coherent(min_notice, cutoff, reminder)
    assert all(error.id == "clinic.E151" for error in errors)


def test_the_check_is_registered_and_the_defaults_pass():
    from django.core import checks

    assert timing.check_timing in checks.registry.registry.get_checks()
    assert timing.check_timing() == []
    with timing_settings(12, 24, 24):  # the old rules: a reminder exactly at the cut-off
        assert "must be more than" in timing.check_timing()[0].msg


@given(
    min_notice=st.integers(0, 80),
    cutoff=st.integers(0, 80),
    reminder=st.integers(0, 100),
    ahead=st.integers(0, 200 * 60),  # minutes between booking and appointment
)
def test_the_reminder_always_goes_before_the_cut_off_and_its_link_still_works(min_notice, cutoff, reminder, ahead):
    rules = timing.Timing(min_notice_hours=min_notice, cutoff_hours=cutoff, reminder_hours=reminder)
    if timing.problems(rules):
        return
    booked_at = NOW
    starts_at = booked_at + datetime.timedelta(minutes=ahead)
    if starts_at - booked_at < datetime.timedelta(hours=min_notice):
        return  # not bookable
    remind_at = timing.reminder_time(starts_at, now=booked_at, timing=rules)
    if remind_at is None:
        assert starts_at - booked_at <= rules.reminder  # booked too late for a reminder
        return
    assert booked_at < remind_at < timing.change_deadline(starts_at, rules)
    assert not timing.inside_cutoff(starts_at, now=remind_at, timing=rules)  # "change it online" works then


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(min_notice=st.integers(0, 60), cutoff=st.integers(0, 60), reminder_above=st.integers(1, 48))
def test_a_slot_is_labelled_exactly_when_it_is_inside_the_cut_off(consultation, min_notice, cutoff, reminder_above):
    with timing_settings(min_notice, cutoff, cutoff + reminder_above):
        week = schedule.week_of_free_times(
            consultation_type=consultation, practitioner=None, anchor=NOW.date(), today=NOW.date(), now=NOW
        )
    starts = [start for _, day in week["days"] for start in day]
    assert starts, "the demo week has free times"
    assert all(start - NOW >= datetime.timedelta(hours=min_notice) for start in starts)
    inside = {start for start in starts if start - NOW <= datetime.timedelta(hours=cutoff)}
    assert week["cannot_change_online"] == inside
    if cutoff <= min_notice:
        assert inside == set() or all(start - NOW == datetime.timedelta(hours=cutoff) for start in inside)


@pytest.mark.django_db
def test_the_picker_and_the_review_label_a_time_inside_the_cut_off(client, now, clinic_schedule):
    with timing_settings(12, 30, 48):  # Tuesday up to 14:00 is within 30 hours of Monday 08:00
        client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
        page = soup(client.get("/book/times/"))
        labels = {label.get_text(" ", strip=True) for label in page.select(".slot-picker label")}
        assert "09:00 (can't be changed online)" in labels
        assert "14:00 (can't be changed online)" in labels
        assert "14:15" in labels
        from tests.clinic.booking.flow import walk_to_review

        review = walk_to_review(client, slot=at(TUESDAY, 9))
        text = " ".join(review.content.decode().split())
        assert 'at 09:00 <strong class="slot-fixed">(can\'t be changed online)</strong>' in text
        assert "to move or cancel it, you would need to call us" in text
        from tests.clinic.booking.flow import confirm

        confirm(client, review)
        confirmed = " ".join(client.get("/book/confirmed/").content.decode().split())
        assert "so it can't be changed online" in confirmed
        assert "a link to cancel or move" not in confirmed


@pytest.mark.django_db
@pytest.mark.parametrize(("hour", "changeable"), [(9, False), (15, True)])
def test_the_confirmation_promises_an_online_change_only_when_the_booking_allows_it(book, dr_shah, hour, changeable):
    with timing_settings(12, 30, 48):
        appointment = book(at(TUESDAY, hour), dr_shah)
    email = Outbox.objects.get(cause=booking.cause_of(appointment), kind="booking_confirmed")
    assert ("See, move or cancel your appointment" in email.body_html) is changeable
    assert ("You can change your appointment online until" in email.body_text) is changeable
    assert ("so it can't be changed online" in email.body_text) is not changeable
