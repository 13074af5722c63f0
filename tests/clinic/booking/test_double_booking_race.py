"""F1/F2: twenty patients press "Confirm" for the same slot at the same instant.

Real PostgreSQL, the real site over HTTP (live_server, one thread per request), twenty
client threads released together by a barrier. Exactly one wins each round; the others get
the friendly "no longer available" page; no 5xx; one row. With the constraints dropped the
same test finds double bookings, which shows it can see a race.
"""

import secrets
import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.middleware.csrf import CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string

from clinic.models import Appointment, Outbox
from tests.clinic_fixtures import TUESDAY, at
from tests.support.http_client import Session

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CLIENTS = 20
DETAILS = {"phone": "+447911123456", "date_of_birth": "1990-05-17", "notes": ""}
ANSWERS = dict.fromkeys(
    ["cold_sores", "isotretinoin", "pregnant", "keloid_scars", "blood_thinners", "anaesthetic_allergy"], "no"
)


def prepare(base_url, practitioner_id, slot, n):
    """One patient at the review step, written straight into a session: (client, idempotency key).

    The race is the confirming POST; walking each of twenty patients through four steps over HTTP
    first would only cost time (the steps themselves are tested in test_views.py).
    """
    key = secrets.token_urlsafe(24)
    store = SessionStore()
    store["booking"] = {
        "type": "milia-consultation",
        "practitioner": str(practitioner_id),
        "slot": slot.isoformat(),
        "details": {**DETAILS, "name": f"Patient {n}", "email": f"p{n}@example.org", "marketing_consent": False},
        "answers": ANSWERS,
        "key": key,
    }
    store.create()
    client = Session(base_url)
    client.set_cookie("sessionid", store.session_key)
    client.set_cookie("csrftoken", get_random_string(CSRF_SECRET_LENGTH))  # a bare secret is a valid form token
    return client, key


def race(base_url, practitioner_id, slot):
    """All clients confirm the same slot at once; returns their status codes."""
    sessions = [prepare(base_url, practitioner_id, slot, n) for n in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS, timeout=30)
    statuses = [None] * CLIENTS

    def confirm(i):
        session, key = sessions[i]
        barrier.wait()
        statuses[i] = session.post("/book/review/", {"idempotency_key": key})[0]

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return statuses


ROUND_SLOTS = [at(TUESDAY, 9), at(TUESDAY, 10), at(TUESDAY, 11), at(TUESDAY, 14), at(TUESDAY, 15), at(TUESDAY, 16)]


def test_F1_only_one_of_twenty_simultaneous_bookings_wins(live_server, plain_http_cookies, now, dr_shah):
    for slot in ROUND_SLOTS:
        statuses = race(live_server.url, dr_shah.pk, slot)
        assert statuses.count(302) == 1, statuses
        assert statuses.count(409) == CLIENTS - 1, statuses
        booked = Appointment.objects.active().filter(starts_at=slot)
        assert booked.count() == 1
        assert Outbox.objects.filter(kind="booking_confirmed", cause=f"appointment:{booked.get().pk}").count() == 1


@pytest.fixture
def without_constraints(on_postgres):
    """Drop both double-booking guards for one test, then put them back."""
    from importlib import import_module

    create = import_module("clinic.migrations.0002_no_overlapping_appointments").CREATE
    unique = next(c for c in Appointment._meta.constraints if c.name == "appointment_one_active_per_practitioner_start")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE clinic_appointment DROP CONSTRAINT appointment_no_overlap")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Appointment, unique)
    yield
    Appointment.objects.filter(status="booked").delete()
    with connection.schema_editor() as editor:
        editor.add_constraint(Appointment, unique)
    with connection.cursor() as cursor:
        cursor.execute(create)


def test_F2_without_the_constraints_the_race_is_caught(
    live_server, plain_http_cookies, now, dr_shah, without_constraints
):
    """F2, the negative control: the same race double-books when nothing stops it."""
    doubled = False
    for slot in ROUND_SLOTS:
        race(live_server.url, dr_shah.pk, slot)
        if Appointment.objects.active().filter(starts_at=slot).count() > 1:
            doubled = True
            break
    assert doubled
