"""The outbox under real faults: a killed worker, a hung Redis, a refusing SMTP server, rival dispatchers.

Real processes on 127.0.0.1 only (RELIABILITY.md, section G): a Celery worker subprocess, the
pytest-redis server, an aiosmtpd sink, PostgreSQL or a SQLite file. Every wait is bounded.
"""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import path
from django.utils import timezone

from clinic.mail import outbox, sending
from clinic.models import Outbox
from tests.clinic.mail.test_outbox import view_that_queues_mail
from tests.factories import OutboxFactory
from tests.support.smtp_sink import smtp_sink
from tests.support.worker import ROOT, app_env, wait_until, worker_env

Status = Outbox.Status
CANARY_NAME = "CANARY-7f3a-name"
CANARY_TO = "canary-7f3a@example.test"

# A dispatcher as cron would run it, started at an agreed moment so that several really overlap.
DISPATCHER = """
import os, time, django
django.setup()
time.sleep(max(0.0, float(os.environ["START_AT"]) - time.time()))
from django.core.management import call_command
call_command("send_due_mail", "--batch-size", "10")
"""
SEED = """
import django
django.setup()
from django.db import transaction
from clinic.mail import housekeeping, outbox, sending, unsubscribe
for i in range(int({n})):
    with transaction.atomic():
        outbox.queue_email(to=f"patient{{i}}@example.test", template="test_message", context={{"name": "Pat"}},
                           kind="test_message", cause=f"seed:{{i}}", idempotency_key=f"seed:{{i}}")
"""


urlpatterns = [path("queue-mail/", view_that_queues_mail)]


def queue_now(i=0, **overrides):
    values = {
        "to": f"patient{i}@example.test",
        "template": "test_message",
        "context": {"name": "Pat"},
        "kind": "test_message",
        "cause": f"chaos:{i}",
        "idempotency_key": f"chaos:{i}",
    }
    values.update(overrides)
    with transaction.atomic():  # commits (transactional test): the worker is kicked at once
        return outbox.queue_email(**values)


def sweep():
    """What beat's every-minute job does, run here as often as the test needs."""
    sending.dispatch_due(now=timezone.now())


def all_sent(rows):
    return lambda: Outbox.objects.filter(pk__in=[r.pk for r in rows], status=Status.SENT).count() == len(rows)


def run_dispatchers(count, env):
    env = {**env, "OUTBOX_USE_CELERY": "false", "START_AT": str(time.time() + 4)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", DISPATCHER],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = [p.communicate(timeout=90) for p in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err[-3000:]
    return [int(re.search(r"Sent (\d+)", out).group(1)) for out, _ in results]


@pytest.mark.chaos
@pytest.mark.postgres
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G3_three_dispatchers_on_postgresql_send_every_due_email_exactly_once(on_postgres):
    """G3: 200 due rows, three dispatcher processes at once: 200 Message-IDs, no duplicate, one attempt each."""
    rows = OutboxFactory.create_batch(200, send_after=timezone.now() - timedelta(minutes=1))
    with smtp_sink(delay=0.005) as (sink, port):
        sent_by = run_dispatchers(3, app_env(smtp_port=port))
    assert sum(sent_by) == 200
    assert sum(1 for n in sent_by if n) >= 2, f"the dispatchers did not overlap: {sent_by}"
    seen = [d.message_id for d in sink.deliveries]
    assert len(seen) == 200 and set(seen) == {r.message_id for r in rows}
    assert set(Outbox.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


@pytest.mark.chaos
@pytest.mark.timeout(120)
def test_G4_two_dispatchers_on_sqlite_send_every_due_email_exactly_once(tmp_path):
    """G4: the same on the SQLite default (IMMEDIATE transactions, conditional UPDATE claims), 100 rows."""
    database = tmp_path / "g4.sqlite3"
    with smtp_sink(delay=0.005) as (sink, port):
        env = app_env(smtp_port=port, db_url=f"sqlite:///{database}", VAR_DIR=str(tmp_path))
        for command in (["manage.py", "migrate", "-v0"], ["-c", SEED.format(n=100)]):
            done = subprocess.run(
                [sys.executable, *command],
                cwd=ROOT,
                env={**env, "OUTBOX_USE_CELERY": "false"},
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert done.returncode == 0, done.stderr[-3000:]
        sent_by = run_dispatchers(2, env)
    assert sum(sent_by) == 100
    seen = [d.message_id for d in sink.deliveries]
    with sqlite3.connect(database) as db:
        stored = {row[0] for row in db.execute("SELECT message_id FROM clinic_outbox")}
        outcome = db.execute("SELECT status, attempts, COUNT(*) FROM clinic_outbox GROUP BY 1, 2").fetchall()
    assert len(seen) == 100 and set(seen) == stored
    assert outcome == [("sent", 1, 100)]


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G5_killing_the_worker_mid_send_loses_nothing_and_a_duplicate_keeps_its_message_id(broker, workers):
    """G5: kill -9 during SMTP DATA; after the lease every email ends sent, duplicates only of those in flight."""
    with smtp_sink([("sleep", 5), ("sleep", 5)]) as (sink, port):
        env = worker_env(broker, port)
        first = workers(env)
        rows = [queue_now(i) for i in range(4)]
        assert wait_until(lambda: len(sink.deliveries) >= 2, timeout=20), first.log()
        first.kill()
        in_flight = {d.message_id for d in sink.deliveries}
        assert Outbox.objects.filter(status=Status.SENDING).count() == len(in_flight) == 2
        workers(env)
        assert wait_until(all_sent(rows), timeout=60, every=0.5, between=sweep), list(
            Outbox.objects.values_list("status", "attempts", "last_error")
        )
    seen = [d.message_id for d in sink.deliveries]
    assert set(seen) == {r.message_id for r in rows}  # a duplicate is the same email, same Message-ID
    assert len(seen) - len(set(seen)) <= len(in_flight)
    assert not Outbox.objects.filter(status=Status.SENDING).exists()
    attempts = dict(Outbox.objects.values_list("message_id", "attempts"))
    assert {attempts[m] for m in in_flight} == {2}


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.timeout(120)
@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G6_a_booking_while_redis_hangs_succeeds_fast_and_its_mail_goes_once_redis_is_back(
    client, broker, redis_proc, workers, monkeypatch
):
    """G6: Redis SIGSTOPped during the request: success in under 3 s; after SIGCONT the sweep sends the mail once."""
    with smtp_sink() as (sink, port):
        os.kill(redis_proc.process.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            response = client.post("/queue-mail/")
            elapsed = time.monotonic() - started
        finally:
            os.kill(redis_proc.process.pid, signal.SIGCONT)
        assert response.status_code == 200 and elapsed < 3, elapsed
        row = Outbox.objects.get(kind="request_test")
        assert row.status == Status.PENDING
        workers(worker_env(broker, port))
        # The sweep runs in a worker process, whose publishing was never paused by this one's failure.
        monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)
        assert wait_until(all_sent([row]), timeout=30, every=0.5, between=sweep)
        time.sleep(1)  # a late copy of the timed-out publish, if Redis took it after all, must send nothing
    assert [d.message_id for d in sink.deliveries] == [row.message_id]


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G8_the_worker_retries_a_refusing_server_with_growing_gaps_until_it_accepts(broker, workers):
    """G8: 451, 451, 451, 250 through a real worker: sent on attempt 4, gaps doubling, one message delivered."""
    with smtp_sink(["451 4.3.0 Try again later"] * 3) as (sink, port):
        workers(worker_env(broker, port, OUTBOX_BACKOFF_BASE_SECONDS=2))
        row = queue_now()
        assert wait_until(all_sent([row]), timeout=60, every=0.2, between=sweep)
    row.refresh_from_db()
    assert row.attempts == 4
    arrivals = [d.at for d in sink.deliveries]
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert len(gaps) == 3 and gaps[0] < gaps[1] < gaps[2], gaps
    assert gaps[0] >= 0.8 * 2 and gaps[2] <= 1.2 * 8 + 2  # base 2 s, ±20% jitter, plus sweep latency
    assert len(sink.accepted) == 1 and {d.message_id for d in sink.deliveries} == {row.message_id}


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G9_the_worker_fails_a_rejected_address_at_once_and_staff_get_an_alert_without_personal_data(
    broker, workers, settings
):
    """G9 + H1: 550 → failed after one attempt, no loop; the staff alert carries no personal data."""
    with smtp_sink(["550 5.1.1 User unknown"]) as (sink, port):
        workers(worker_env(broker, port))
        row = queue_now(to=CANARY_TO, context={"name": CANARY_NAME})
        alert_sent = Outbox.objects.filter(kind=sending.STAFF_ALERT, status=Status.SENT).exists
        assert wait_until(alert_sent, timeout=30, every=0.5, between=sweep)
        for _ in range(3):  # more sweeps: nothing more goes out
            sweep()
            time.sleep(0.5)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 1, "SMTPDataError 550")
    patient, alert = sink.deliveries
    assert patient.rcpt_tos == [CANARY_TO] and alert.rcpt_tos == [settings.CLINIC_INBOX_EMAIL]
    assert alert.message["Subject"] == f"{settings.CLINIC_NAME}: an email could not be sent"
    assert "canary" not in alert.content.decode().lower()
    assert "canary" not in "".join(v for k, v in patient.message.items() if k.lower() != "to").lower()
