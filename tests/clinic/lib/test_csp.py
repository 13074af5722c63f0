"""The CSP header is django-csp's policy, built once (clinic/lib/csp.py), and follows the settings."""

import pytest
from csp.utils import build_policy

pytestmark = pytest.mark.django_db


def test_every_response_gets_django_csps_policy(client):
    for url in ("/", "/", "/book/", "/no-such-page/"):
        assert client.get(url)["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in client.get("/")


def test_a_changed_policy_is_followed(client, settings):
    assert "'unsafe-inline'" not in client.get("/book/")["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", "https://cdn.example"]}
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    response = client.get("/book/")
    assert "script-src 'self' https://cdn.example" in response["Content-Security-Policy"]
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'none'"
