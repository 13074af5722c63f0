"""The data migration puts every stored number in E.164, with its own copy of the rule."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps

from clinic.models import Appointment, Patient
from tests.clinic_fixtures import TUESDAY, at, details

pytestmark = pytest.mark.django_db

migration = importlib.import_module("clinic.migrations.0005_normalise_phone_numbers")


def test_it_normalises_patients_and_the_numbers_given_at_booking(book):
    appointment = book(at(TUESDAY, 10), details=details(phone="+447911123456"))
    typed = {"07911 123456": "+447911123456", "0044 20 7946 0018": "+442079460018", "call me": "call me"}
    patients = {}
    for raw in typed:
        patients[raw] = Patient.objects.create(name="P", email=f"{len(patients)}@example.org", phone=raw)
    Appointment.objects.filter(pk=appointment.pk).update(given_phone="07911 123 456")

    migration.normalise(apps, None)

    assert {raw: Patient.objects.get(pk=p.pk).phone for raw, p in patients.items()} == typed
    assert Appointment.objects.get(pk=appointment.pk).given_phone == "+447911123456"


def test_the_migration_imports_no_live_code():
    text = Path(migration.__file__).read_text()
    assert "from clinic" not in text and "import clinic" not in text
