"""Optional Sentry/GlitchTip reporting: errors go out scrubbed, through a fake transport (no network)."""

import pytest
import sentry_sdk
from django.test import Client
from django.urls import path
from sentry_sdk.transport import Transport

from clinic.lib import error_tracking

pytestmark = pytest.mark.django_db

TOKEN = "cAnArY-sentry-token-0123456789abcdefghijklmn"
CANARIES = ("CANARY-sentry-notes", "canary-sentry@example.org", "sessionid-CANARY")


class Captured(Transport):
    """A transport that keeps each envelope instead of sending it."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


def fails(request, token):
    raise ValueError(f"could not book for {request.POST.get('email')}")


urlpatterns = [path("manage/<str:token>/boom/", fails)]


@pytest.fixture
def tracker(settings):
    transport = Captured()
    error_tracking.init("https://public@errors.example.invalid/1", environment="test", transport=transport)
    settings.ROOT_URLCONF = __name__
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: reporting off again for the rest of the run


def test_an_error_is_sent_without_cookies_body_user_query_or_tokens(tracker):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "sessionid-CANARY"
    response = client.post(
        f"/manage/{TOKEN}/boom/?q=canary-sentry@example.org",
        {"notes": "CANARY-sentry-notes", "email": "canary-sentry@example.org"},
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    events = [item.payload.json for envelope in tracker.envelopes for item in envelope.items if item.type == "event"]
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["tags"]["request"] == "POST /manage/[token]/boom/"
    assert event["tags"]["request_id"] == response["X-Request-ID"]  # the log lines can be found by it
    assert "user" not in event and "breadcrumbs" not in event
    everything = repr(event)
    for secret in (TOKEN, *CANARIES):
        assert secret not in everything, secret


def test_scrub_redacts_messages_and_drops_local_variables():
    event = {
        "message": "Not Found: /aftercare/abcdefghijklmnopqrstuvwxyz0123456789/",
        "exception": {"values": [{"value": "for pat@example.org", "stacktrace": {"frames": [{"vars": {"x": 1}}]}}]},
        "user": {"email": "pat@example.org"},
    }
    scrubbed = error_tracking.scrub(event, {})
    assert scrubbed["message"] == "Not Found: /aftercare/[token]/"
    assert scrubbed["exception"]["values"][0] == {"value": "for [email]", "stacktrace": {"frames": [{}]}}
    assert "user" not in scrubbed
