"""The logs of a real worker and a real web server: one JSON object per line, no traceback, nothing personal.

LOG_FORMAT=json, gunicorn with the site's config (its access log too), a Celery worker sending an
email through Redis to an SMTP sink, and patient-link and staff-search requests carrying canaries.
"""

import json
import time
import urllib.request

import pytest
from django.db import transaction

from clinic.mail import outbox
from clinic.models import Outbox
from tests.support.smtp_sink import smtp_sink
from tests.support.web_server import gunicorn
from tests.support.worker import Worker, app_env, use_broker, wait_until

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOKEN = "cAnArY-logs-token-0123456789abcdefghijklmnopq"
NAME = "Canary Logsworth"
EMAIL = "canary-logs@example.org"


def json_lines(text):
    """Each non-empty line as JSON; a line that is not one object is returned as an error."""
    lines, broken = [], []
    for line in text.splitlines():
        if line.strip():
            try:
                lines.append(json.loads(line))
            except ValueError:
                broken.append(line)
    return lines, broken


def get(url):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_worker_and_web_logs_are_json_lines_with_ids_and_without_tracebacks_or_personal_data(
    redis_proc, redisdb, tmp_path, monkeypatch
):
    broker = f"redis://{redis_proc.host}:{redis_proc.port}/0"
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)
    with smtp_sink() as (sink, port), use_broker(broker):
        env = app_env(smtp_port=port, broker_url=broker, LOG_FORMAT="json", SECURE_SSL_REDIRECT="false")
        worker = Worker(env, tmp_path / "worker.log").start()
        web_log = tmp_path / "web.log"
        try:
            with gunicorn(env, web_log, workers=1, threads=2, args=["-c", "python:clinic.gunicorn_conf"]) as base:
                web_start, worker_start = web_log.stat().st_size, worker.log_path.stat().st_size
                statuses = [
                    get(f"{base}/milia/"),
                    get(f"{base}/manage/{TOKEN}/"),
                    get(f"{base}/aftercare/{TOKEN}/check-in/worried/"),
                    get(f"{base}/search/?q={NAME.replace(' ', '+')}"),
                ]
                with transaction.atomic():
                    row = outbox.queue_email(
                        to=EMAIL,
                        template="test_message",
                        context={"name": NAME},
                        kind="test_message",
                        cause="logs:1",
                        idempotency_key="logs:1",
                    )
                sent = wait_until(lambda: Outbox.objects.get(pk=row.pk).status == Outbox.Status.SENT, timeout=30)
                time.sleep(1)  # the worker's last lines reach its file
                web = web_log.read_bytes()[web_start:].decode()
                work = worker.log_path.read_bytes()[worker_start:].decode()
        finally:
            worker.stop()
    assert statuses == [200, 404, 404, 200] and sent and len(sink.accepted) == 1
    web_lines, web_broken = json_lines(web)
    worker_lines, worker_broken = json_lines(work)
    assert web_broken == [] and worker_broken == []
    for text in (web, work):
        for secret in ("Traceback", "Logging error", TOKEN, NAME, EMAIL, "Canary"):
            assert secret not in text, secret
    access = [line for line in web_lines if line["logger"] == "gunicorn.access"]
    assert any("GET /manage/[token]/" in line["message"] for line in access)
    assert any(line.get("request_id") for line in web_lines if line["logger"] == "django.request")
    assert any(line.get("task_id") and line.get("outbox_id") == row.pk for line in worker_lines), worker_lines
