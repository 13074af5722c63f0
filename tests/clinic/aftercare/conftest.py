"""Aftercare tests' fixtures: a patient, a practitioner, and treatment records made through the service."""

import datetime

import pytest

from clinic.aftercare.services import record_treatment
from tests.clinic_fixtures import MONDAY
from tests.factories import PatientFactory, PractitionerFactory
from treatments.models import TreatmentPage


@pytest.fixture
def patient(db):
    return PatientFactory(name="Pat Example", email="pat@example.org")


@pytest.fixture
def practitioner(db):
    return PractitionerFactory(name="Dr Test", weekdays=())


@pytest.fixture
def make_record(patient, practitioner):
    def make(slug="extraction", performed_at=MONDAY, now=None, **overrides):
        values = {"patient": patient, "practitioner": practitioner, "notes": ""}
        values.update(overrides)
        return record_treatment(
            treatment=TreatmentPage.objects.get(slug=slug),
            performed_at=performed_at,
            now=now or performed_at + datetime.timedelta(minutes=30),
            **values,
        )

    return make
