"""A receptionist on the phone and a patient online confirm the same time at the same instant: exactly one wins.

Real PostgreSQL, each request in its own thread with its own connection, released together by a
barrier. The loser gets the friendly answer (the online 409 page, or the desk's form error with the
nearest free times), never a 500; one row per slot.
"""

import datetime
import secrets
import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client

from clinic.models import Appointment, Patient
from clinic.staff import roles
from tests.clinic_fixtures import ANSWERS, TUESDAY, at
from tests.helpers import soup
from tests.staff_fixtures import make_staff, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SLOTS = [at(TUESDAY, 9), at(TUESDAY, 10), at(TUESDAY, 11), at(TUESDAY, 14)]


def online_patient(settings, practitioner, slot, n):
    """A patient at the online review step (session written directly; the steps are tested elsewhere)."""
    key = secrets.token_urlsafe(24)
    store = SessionStore()
    store["booking"] = {
        "type": "milia-consultation",
        "practitioner": str(practitioner.pk),
        "slot": slot.isoformat(),
        "details": {
            "name": f"Online {n}",
            "email": f"online{n}@example.org",
            "phone": "+447911123456",
            "date_of_birth": "1990-05-17",
            "notes": "",
            "marketing_consent": False,
        },
        "answers": ANSWERS,
        "key": key,
    }
    store.create()
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    return lambda: client.post("/book/review/", {"idempotency_key": key})


def desk_booking(settings, desk, patient, practitioner, slot):
    utc = slot.astimezone(datetime.UTC)
    query = f"?patient={patient.pk}&practitioner={practitioner.pk}&type=milia-consultation"
    data = {
        **ANSWERS,
        "slot": f"{practitioner.pk}|{utc.isoformat()}",
        "privacy_told": "on",
        "notify": "on",
        "idempotency_key": secrets.token_urlsafe(24),
    }
    return lambda: desk.post(f"/{settings.ADMIN_URL}desk/book/{query}", data)


def race(*requests):
    barrier = threading.Barrier(len(requests), timeout=30)
    results = [None] * len(requests)

    def run(i):
        barrier.wait()
        try:
            results[i] = requests[i]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_F1_the_desk_and_an_online_patient_race_for_one_slot_and_exactly_one_wins(
    on_postgres, settings, now, dr_shah, django_user_model
):
    desk = sign_in(Client(raise_request_exception=False), make_staff(django_user_model, "desk", role=roles.RECEPTION))
    caller = Patient.objects.create(name="Phone Caller", email="caller@example.org", phone="+447700900123")
    winners = []
    for n, slot in enumerate(SLOTS):
        online, at_desk = race(
            online_patient(settings, dr_shah, slot, n), desk_booking(settings, desk, caller, dr_shah, slot)
        )
        assert online.status_code in (302, 409) and at_desk.status_code in (200, 302), (online, at_desk)
        assert [online.status_code, at_desk.status_code].count(302) == 1
        if at_desk.status_code == 200:  # the desk lost: a form error offering the nearest free times
            page = soup(at_desk)
            assert "taken" in page.select_one(".errornote").get_text() or "not available" in page.get_text()
            assert page.select(".alternatives button[name=alternative]")
        booked = Appointment.objects.active().filter(starts_at=slot)
        assert booked.count() == 1
        winners.append("desk" if booked.get().patient == caller else "online")
    assert len(winners) == len(SLOTS)
