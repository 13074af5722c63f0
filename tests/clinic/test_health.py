"""/healthz/: JSON for probes, 200 when the database and broker answer and mail flows, 503 otherwise."""

import datetime
import json
import os
import signal
import time

import pytest
from django.utils import timezone

from tests.factories import OutboxFactory
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.django_db


def health(client, **extra):
    response = client.get("/healthz/", **extra)
    return response.status_code, json.loads(response.content), response


def test_a_healthy_site_answers_200_with_database_broker_and_mail(client):
    status, body, response = health(client)
    assert status == 200
    assert body == {
        "database": "ok",
        "broker": "ok",
        "mail": {"due": 0, "oldest_due_seconds": None, "failed": 0, "late": False},
        "status": "ok",
    }
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_any_host_may_probe_and_the_check_costs_two_queries(client, django_assert_num_queries):
    """A container's probe sends Host: localhost, which ALLOWED_HOSTS need not list; no session or user is read."""
    with django_assert_num_queries(2):  # SELECT 1, and one aggregate over the outbox
        status, _, _ = health(client, HTTP_HOST="localhost:8000")
    assert status == 200


def test_mail_waiting_past_the_threshold_turns_it_503(client, settings):
    now = timezone.now()
    settings.HEALTH_MAIL_MAX_WAIT_SECONDS = 600
    OutboxFactory(send_after=now - datetime.timedelta(seconds=300))
    OutboxFactory(status="failed")
    status, body, _ = health(client)
    assert status == 200 and body["mail"]["due"] == 1 and body["mail"]["failed"] == 1
    assert 290 <= body["mail"]["oldest_due_seconds"] <= 400
    OutboxFactory(send_after=now - datetime.timedelta(seconds=900))
    status, body, _ = health(client)
    assert status == 503 and body["status"] == "failing" and body["mail"]["late"] is True


def test_a_cron_site_has_no_broker_to_check(client, settings):
    settings.OUTBOX_USE_CELERY = False
    status, body, _ = health(client)
    assert status == 200 and body["broker"] == "not used (mail is sent by cron)"


@pytest.mark.redis
def test_it_turns_503_when_redis_hangs_or_stops_and_200_when_it_is_back(client, settings, tmp_path):
    """A real redis-server as the broker: SIGSTOP (hung), then stopped, then started again."""
    server = RedisServer(tmp_path / "redis").start()
    settings.CELERY_BROKER_URL = server.url
    try:
        assert health(client)[0] == 200
        os.kill(server.process.pid, signal.SIGSTOP)
        started = time.monotonic()
        status, body, _ = health(client)
        assert status == 503 and body["broker"] == "unreachable"
        assert time.monotonic() - started < 3  # a probe every 5 s must not pile up
        os.kill(server.process.pid, signal.SIGCONT)
        server.kill()
        status, body, _ = health(client)
        assert status == 503 and body["broker"] == "unreachable" and body["database"] == "ok"
        server.start()
        assert health(client)[0] == 200
    finally:
        if server.process and server.process.poll() is None:
            os.kill(server.process.pid, signal.SIGCONT)
        server.kill()
