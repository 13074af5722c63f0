"""The patient's aftercare pages in a real browser: accessible, and working under the strict CSP."""

import datetime

import pytest
from django.utils import timezone

from clinic.aftercare import services as aftercare
from clinic.aftercare.services import record_treatment
from clinic.models import Patient, Practitioner
from treatments.models import TreatmentPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def token(db):
    """A link token for a laser treatment done yesterday."""
    now = timezone.now()
    record = record_treatment(
        patient=Patient.objects.create(name="Pat Example", email="pat@example.org", phone="+447911123456"),
        treatment=TreatmentPage.objects.get(slug="laser"),
        practitioner=Practitioner.objects.create(name="Dr Test"),
        performed_at=now - datetime.timedelta(days=1),
        now=now,
    )
    step = record.treatment.aftercare_steps.get(day_offset=1)
    return aftercare.new_link(record, step, now=now)


def test_aftercare_pages_have_no_axe_violations(axe_check, plain_http_cookies, token):
    assert axe_check(f"/aftercare/{token}/") == []
    assert axe_check(f"/aftercare/{token}/check-in/worried/") == []


def test_a_worried_patient_sends_a_message_and_sees_who_to_call(site, plain_http_cookies, token, settings):
    site.goto(f"{site.base_url}/aftercare/{token}/check-in/worried/")
    site.get_by_label("What is worrying you? (optional)").fill("The area is getting redder.")
    site.get_by_role("button", name="Ask the clinic to call me back").click()
    assert site.url.endswith("/aftercare/done/")
    assert settings.CLINIC_URGENT_PHONE in site.content()
    assert site.console_errors == []
