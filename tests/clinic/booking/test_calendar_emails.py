"""Emails that keep calendars right: one event per appointment, updated by a move, removed by a cancel."""

import base64
import datetime

import pytest
from icalendar import Calendar

from clinic.booking import services as booking
from clinic.lib.links import site_host
from clinic.mail.sending import build_message
from clinic.models import Outbox
from tests.clinic_fixtures import NOW, TUESDAY, at

pytestmark = pytest.mark.django_db

THURSDAY = TUESDAY + datetime.timedelta(days=2)


def email(appointment, kind):
    return Outbox.objects.filter(cause=booking.cause_of(appointment), kind=kind).latest("pk")


def ics_of(row):
    (attachment,) = row.attachments
    assert attachment["filename"] == "appointment.ics"
    assert attachment["mimetype"] == "text/calendar"
    return base64.b64decode(attachment["content"])


def event_of(ics):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def booked_moved_cancelled(book, dr_shah):
    """The three .ics texts of one appointment: booked, moved, then cancelled."""
    appointment = book(at(THURSDAY, 10), dr_shah)
    later = NOW + datetime.timedelta(hours=1)
    booking.reschedule_appointment(appointment=appointment, starts_at=at(THURSDAY, 14), now=later)
    booking.cancel_appointment(appointment=appointment, by_clinic=False, now=later + datetime.timedelta(hours=1))
    return appointment, [
        ics_of(email(appointment, kind)) for kind in ("booking_confirmed", "booking_rescheduled", "booking_cancelled")
    ]


def test_a_booking_its_move_and_its_cancel_are_one_event_updated_then_cancelled(book, dr_shah):
    appointment, texts = booked_moved_cancelled(book, dr_shah)
    (new_method, new), (moved_method, moved), (cancel_method, cancelled) = [event_of(text) for text in texts]
    assert (new_method, moved_method, cancel_method) == ("REQUEST", "REQUEST", "CANCEL")
    uid = f"appointment-{appointment.reference}@{site_host()}"
    assert str(new["UID"]) == str(moved["UID"]) == str(cancelled["UID"]) == uid
    assert (new["SEQUENCE"], moved["SEQUENCE"], cancelled["SEQUENCE"]) == (0, 1, 2)
    assert (str(new["STATUS"]), str(moved["STATUS"]), str(cancelled["STATUS"])) == (
        "CONFIRMED",
        "CONFIRMED",
        "CANCELLED",
    )
    assert new.decoded("DTSTART") == at(THURSDAY, 10)
    assert moved.decoded("DTSTART") == cancelled.decoded("DTSTART") == at(THURSDAY, 14)
    assert new.decoded("DTSTAMP") < moved.decoded("DTSTAMP") < cancelled.decoded("DTSTAMP")
    for event in (new, moved, cancelled):
        assert str(event["ORGANIZER"]) == "mailto:reception@clinic.example"
        assert str(event["ATTENDEE"]) == "mailto:pat@example.org"
        assert "milia" not in str(event["SUMMARY"]).lower()  # no clinical detail in a shared calendar
    appointment.refresh_from_db()
    assert appointment.sequence == 2


def test_distinct_discreet_subjects_and_the_moved_email_has_both_times(book, dr_shah):
    appointment, _ = booked_moved_cancelled(book, dr_shah)
    subjects = {
        kind: email(appointment, kind).subject
        for kind in ("booking_confirmed", "booking_rescheduled", "booking_cancelled")
    }
    assert subjects == {
        "booking_confirmed": "Booking confirmed – Riverside Skin Clinic",
        "booking_rescheduled": "Your booking has moved – Riverside Skin Clinic",
        "booking_cancelled": "Booking cancelled – Riverside Skin Clinic",
    }
    moved = email(appointment, "booking_rescheduled")
    assert "Was: Thursday 10 December 2026 at 10:00" in moved.body_text
    assert "Now: Thursday 10 December 2026 at 14:00" in moved.body_text
    assert "from Thursday 10 December 2026 at 10:00 to Thursday 10 December 2026 at 14:00" in moved.body_html
    assert "removes the appointment from your calendar" in email(appointment, "booking_cancelled").body_text


def test_moving_back_to_an_earlier_time_still_sends_its_email(book, dr_shah, now):
    appointment = book(at(THURSDAY, 10), dr_shah)
    for hour in (14, 10, 14):
        booking.reschedule_appointment(appointment=appointment, starts_at=at(THURSDAY, hour), now=now)
    assert Outbox.objects.filter(kind="booking_rescheduled").count() == 3


def test_patient_emails_carry_a_reply_to_that_reaches_a_person(book, dr_shah, settings):
    settings.CLINIC_REPLY_TO = "desk@clinic.example"
    appointment = book(at(THURSDAY, 10), dr_shah)
    message = build_message(email(appointment, "booking_confirmed"), now=NOW)
    assert message.reply_to == ["desk@clinic.example"]
    assert message.message()["Reply-To"] == "desk@clinic.example"


def test_the_reply_to_defaults_to_the_clinic_inbox():
    from django.conf import settings

    assert settings.CLINIC_REPLY_TO == settings.CLINIC_INBOX_EMAIL
