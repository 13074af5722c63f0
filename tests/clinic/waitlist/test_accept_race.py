"""Two patients offered the same freed time press "Book this time" at the same instant, on PostgreSQL.

The real site over HTTP (live_server), both clients released together by a barrier, several
rounds. Exactly one is booked; the other sees the nearest other free times and keeps their
place on the waiting list. The booking service's exclusion constraint decides.
"""

import datetime
import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore  # noqa: F401 (the live server's session engine)
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string

from clinic.booking import services as booking
from clinic.models import Appointment, WaitlistEntry, WaitlistOffer
from clinic.waitlist import offering
from tests.clinic_fixtures import ANSWERS, TUESDAY, at
from tests.support.http_client import Session

from .conftest import offer_token

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = [at(TUESDAY, 9), at(TUESDAY, 10, 30), at(TUESDAY, 11, 15)]


def race(base_url, paths):
    """Both clients post their acceptance at once; returns [(status, body)]."""
    clients = []
    for _ in paths:
        client = Session(base_url)
        client.set_cookie("csrftoken", get_random_string(CSRF_SECRET_LENGTH))
        clients.append(client)
    barrier = threading.Barrier(len(paths), timeout=30)
    answers = [None] * len(paths)

    def accept(i):
        barrier.wait()
        status, _, body = clients[i].post(paths[i], ANSWERS)
        answers[i] = (status, body)

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(paths))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


def test_two_patients_accepting_the_same_time_at_once_book_it_once(
    live_server, plain_http_cookies, on_postgres, join, full_tuesday_morning, now, settings
):
    settings.WAITLIST_OFFER_BATCH = 2
    for n, slot in enumerate(ROUNDS):
        first = join(f"first{n}@example.org", days_ago=3)
        second = join(f"second{n}@example.org", days_ago=2)
        freed = next(a for a in full_tuesday_morning if a.starts_at == slot)
        booking.cancel_appointment(appointment=freed, by_clinic=True, now=now)
        assert offering.make_offers(now=now) == 2
        offers = [first.offers.get(), second.offers.get()]
        paths = [f"/waitlist/place/{offer_token(o)}/offer/{o.pk}/" for o in offers]

        answers = race(live_server.url, paths)

        statuses = sorted(status for status, _ in answers)
        assert statuses == [302, 409], answers
        loser_body = next(body for status, body in answers if status == 409)
        assert "someone else took that time first" in loser_body and "You keep your place" in loser_body
        assert "These times are free now" in loser_body  # the nearest other free times
        assert Appointment.objects.active().filter(starts_at=slot).count() == 1
        winner = Appointment.objects.active().get(starts_at=slot)
        entries = {e.patient.email: e for e in WaitlistEntry.objects.filter(pk__in=[first.pk, second.pk])}
        won, lost = (first, second) if winner.patient.email == first.patient.email else (second, first)
        assert entries[won.patient.email].status == WaitlistEntry.Status.BOOKED
        assert entries[lost.patient.email].status == WaitlistEntry.Status.WAITING
        assert lost.offers.get().status == WaitlistOffer.Status.TAKEN
        # Tidy the round: the loser leaves, so the next round's pair are the only ones waiting.
        WaitlistEntry.objects.filter(pk=lost.pk).update(status=WaitlistEntry.Status.REMOVED)
        now += datetime.timedelta(seconds=1)
