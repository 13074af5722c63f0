"""Waiting-list fixtures: patients joined through the service, a full Tuesday morning, the links their emails carry."""

import datetime

import pytest

from tests.clinic_fixtures import NOW, TUESDAY, at, details


@pytest.fixture
def join(consultation, dr_shah, now):
    """join("a@example.org", days_ago=2, ...) → a waiting entry wanting Tuesday mornings with Dr Shah by default."""
    from clinic.waitlist import services as waitlist

    def _join(email, *, days_ago=0, practitioner=dr_shah, weekdays=(1,), times=("morning",), latest=TUESDAY):
        wishes = waitlist.Wishes(
            consultation_type=consultation,
            practitioner=practitioner,
            weekdays=weekdays,
            times_of_day=times,
            latest_date=latest,
        )
        joined_at = NOW - datetime.timedelta(days=days_ago)
        return waitlist.join(wishes=wishes, details=details(email=email, name=email.split("@")[0]), now=joined_at)

    return _join


@pytest.fixture
def full_tuesday_morning(book, consultation, dr_shah, now):
    """Dr Shah's Tuesday morning booked from 09:00 to the end; returns the appointments."""
    from clinic.booking import schedule

    booked = []
    while True:
        slots = schedule.free_slots(
            consultation_type=consultation, practitioner=dr_shah, first_day=TUESDAY, last_day=TUESDAY, now=now
        )
        mornings = [s for s in slots if s.start < at(TUESDAY, 12)]
        if not mornings:
            return booked
        booked.append(book(mornings[0].start, dr_shah, details=details(email="filler@example.org")))


def send_and_read_token(row):
    """Send an outbox row as a worker would; return the waiting-list token its link carried."""
    from django.core import mail

    from clinic.mail import sending
    from clinic.models import Outbox

    sent_before = len(mail.outbox)
    assert sending.send_one(row.pk, now=max(row.next_attempt_at, NOW)) == Outbox.Status.SENT
    [message] = mail.outbox[sent_before:]
    return message.body.split("/waitlist/place/")[1].split("/")[0]


def offer_token(offer):
    from clinic.models import Outbox
    from clinic.waitlist import services as waitlist

    return send_and_read_token(Outbox.objects.get(cause=waitlist.offer_cause(offer.pk)))
