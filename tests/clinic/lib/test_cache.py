"""The cache fails open: with Redis gone, pages render uncached and the patient-link limiter lets people in (J6).

The chaos suite (tests/test_stack_chaos.py) hangs and stops a real redis-server under gunicorn; here
the cache points at a port nobody listens on, which is what a stopped Redis looks like.
"""

import logging
import time

import pytest
from django.core.cache import caches

from clinic.lib import cache as fail_open

pytestmark = pytest.mark.django_db


def test_J6_every_cache_call_answers_like_an_empty_cache_when_redis_is_down(dead_redis, caplog):
    with caplog.at_level(logging.WARNING, logger="clinic.cache"):
        assert dead_redis.get("k", "default") == "default"
        assert dead_redis.add("k", 1) is False
        dead_redis.set("k", 1)
        assert dead_redis.get_many(["k"]) == {}
        assert dead_redis.incr("k") is None
        assert dead_redis.delete("k") is False
    assert "cache unavailable (ConnectionError)" in caplog.text
    assert caplog.text.count("cache unavailable") == 1  # then it stops trying for a few seconds


def test_J6_a_dead_cache_is_skipped_for_a_while_then_tried_again(dead_redis, monkeypatch):
    dead_redis.get("k")
    assert fail_open.FailOpenRedisCache.paused_until > time.monotonic()
    started = time.monotonic()
    for _ in range(50):
        dead_redis.get("k")
    assert time.monotonic() - started < 0.5  # no network while paused
    monkeypatch.setattr(fail_open.FailOpenRedisCache, "paused_until", 0.0)
    dead_redis.get("k")
    assert fail_open.FailOpenRedisCache.paused_until > 0.0  # tried again, failed again


def test_J6_content_and_token_pages_still_answer_and_the_limiter_lets_people_in(dead_redis, client, settings, caplog):
    settings.TOKEN_LINK_RATE_PER_MINUTE = 2
    with caplog.at_level(logging.WARNING):
        assert client.get("/milia/").status_code == 200
        assert client.get("/treatments/laser/").status_code == 200
        statuses = {client.get(f"/manage/unknown-token-{n}/").status_code for n in range(5)}
    assert statuses == {404}  # never 429: nothing can be counted, so nobody is turned away
    assert "token-link rate limit not applied" in caplog.text


def test_J6_a_working_redis_caches_and_counts(settings, redis_proc, client, monkeypatch):
    """The same backend with Redis up: the limiter counts again (the control for the tests above)."""
    monkeypatch.setattr(fail_open.FailOpenRedisCache, "paused_until", 0.0)
    location = f"redis://{redis_proc.host}:{redis_proc.port}/1"
    settings.CACHES = {"default": {"BACKEND": "clinic.lib.cache.FailOpenRedisCache", "LOCATION": location}}
    settings.TOKEN_LINK_RATE_PER_MINUTE = 2
    try:
        statuses = [client.get(f"/manage/unknown-token-{n}/").status_code for n in range(4)]
        assert statuses == [404, 404, 429, 429]
        caches["default"].set("k", "v")
        assert caches["default"].get("k") == "v"
    finally:
        caches["default"].clear()
        caches["default"].close()
