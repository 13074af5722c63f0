"""Server errors reach ADMINS through the outbox, and an optional error tracker, with no personal data."""

import pytest
from django.test import Client
from django.urls import path

from clinic.models import Outbox

pytestmark = pytest.mark.django_db

TOKEN = "cAnArY-error-token-0123456789abcdefghijklmnop"
NOTES = "CANARY-error-notes"


def fails(request, token):
    raise ZeroDivisionError(f"while handling {request.POST.get('notes')}")


urlpatterns = [path("manage/<str:token>/boom/", fails)]


@pytest.fixture
def crash(settings):
    """POST a patient's notes to a token page whose view fails."""
    settings.ROOT_URLCONF = __name__

    def post():
        return Client(raise_request_exception=False).post(f"/manage/{TOKEN}/boom/", {"notes": NOTES})

    return post


def test_an_error_is_reported_to_each_admin_through_the_outbox_without_personal_data(crash, settings):
    settings.ADMINS = [("ops@clinic.test", "ops@clinic.test"), ("dev@clinic.test", "dev@clinic.test")]
    response = crash()
    assert response.status_code == 500
    reports = Outbox.objects.filter(kind="server_error")
    assert sorted(reports.values_list("recipient", flat=True)) == ["dev@clinic.test", "ops@clinic.test"]
    report = reports.first()
    assert report.subject == f"{settings.CLINIC_NAME}: a server error (ZeroDivisionError)"
    assert "POST /manage/[token]/boom/" in report.body_text
    assert response["X-Request-ID"] in report.body_text  # the log lines can be found by it
    assert "in fails" in report.body_text  # where it failed
    for secret in (TOKEN, NOTES):
        assert secret not in report.body_text + report.body_html + report.subject


def test_the_same_error_in_the_same_place_is_reported_once_an_hour(crash, settings):
    settings.ADMINS = [("ops@clinic.test", "ops@clinic.test")]
    for _ in range(5):
        crash()
    assert Outbox.objects.filter(kind="server_error").count() == 1


def test_without_admins_nothing_is_queued(crash, settings):
    settings.ADMINS = []
    crash()
    assert not Outbox.objects.filter(kind="server_error").exists()
