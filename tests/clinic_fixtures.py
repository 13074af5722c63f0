"""The standard clinic for booking tests (a pytest plugin): the demo schedule, and a fixed now."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

LONDON = ZoneInfo("Europe/London")
# Monday 7 December 2026, 08:00 in London. Hours are Mon–Fri 09:00–12:30 and 13:30–17:00.
NOW = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=LONDON)
TUESDAY = datetime.date(2026, 12, 8)
# The same Monday at 10:00, when most treatments in the tests are recorded.
MONDAY = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)

ANSWERS = {
    name: "no"
    for name in ("cold_sores", "isotretinoin", "pregnant", "keloid_scars", "blood_thinners", "anaesthetic_allergy")
}


def at(day, hour, minute=0):
    """An aware datetime in clinic time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), LONDON)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def clinic_schedule(db):
    from clinic.demo import load_demo_schedule

    load_demo_schedule()


@pytest.fixture
def consultation(clinic_schedule):
    from clinic.models import ConsultationType

    return ConsultationType.objects.get(slug="milia-consultation")


@pytest.fixture
def dr_shah(clinic_schedule):
    from clinic.models import Practitioner

    return Practitioner.objects.get(name="Dr Amira Shah")


@pytest.fixture
def sam(clinic_schedule):
    from clinic.models import Practitioner

    return Practitioner.objects.get(name="Sam Okafor")


def details(**overrides):
    from clinic.booking.services import PatientDetails

    values = {
        "name": "Pat Example",
        "email": "pat@example.org",
        "phone": "+447911123456",
        "date_of_birth": datetime.date(1990, 5, 17),
    }
    return PatientDetails(**{**values, **overrides})


@pytest.fixture
def book(consultation, now):
    """Book through the domain function with sensible defaults."""
    from clinic.booking.services import book_consultation

    counter = iter(range(10_000))

    def _book(starts_at, practitioner=None, **overrides):
        kwargs = {
            "consultation_type": consultation,
            "practitioner": practitioner,
            "starts_at": starts_at,
            "details": details(),
            "answers": ANSWERS,
            "notes": "",
            "idempotency_key": f"test-key-{next(counter):08d}",
            "now": now,
        }
        return book_consultation(**{**kwargs, **overrides})

    return _book
