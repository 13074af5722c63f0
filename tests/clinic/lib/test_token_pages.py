"""D6: guessing patient-link tokens is throttled, and the throttle never becomes a 500."""

import secrets

import pytest

from clinic.lib import token_pages

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_minute(monkeypatch):
    """Every request of a test falls in one counting minute, even when the test straddles a minute's end."""
    monkeypatch.setattr(token_pages, "rate_window", lambda: 1)


def test_D6_random_token_guesses_are_throttled_after_the_limit(client, settings):
    statuses = [client.get(f"/manage/{secrets.token_urlsafe(32)}/").status_code for _ in range(60)]
    limit = settings.TOKEN_LINK_RATE_PER_MINUTE
    assert statuses[:limit] == [404] * limit
    assert set(statuses[limit:]) == {429}
    response = client.get(f"/manage/{secrets.token_urlsafe(32)}/")
    assert response["Retry-After"] == "60"
    assert settings.CLINIC_PHONE in response.content.decode()


def test_other_pages_and_other_addresses_are_not_throttled(client, settings):
    for _ in range(settings.TOKEN_LINK_RATE_PER_MINUTE + 5):
        client.get(f"/manage/{secrets.token_urlsafe(32)}/")
    assert client.get("/").status_code == 200
    other = client.get(f"/manage/{secrets.token_urlsafe(32)}/", REMOTE_ADDR="127.0.0.2")
    assert other.status_code == 404
