"""Emails per second to a real SMTP server on loopback: cron (`send_due_mail`), a Celery worker (batches and
one task per email), bare smtplib."""

import cProfile
import datetime
import io
import os
import pstats
import smtplib
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings
from django.utils import timezone

from clinic.mail import sending
from clinic.mail.outbox import publish_send
from clinic.models import Outbox
from tests.support.redis_server import RedisServer
from tests.support.smtp_sink import smtp_sink
from tests.support.worker import Worker, app_env, use_broker, wait_until


def due_rows(n: int, tag: str) -> list[int]:
    now = timezone.now() - datetime.timedelta(seconds=1)
    rows = Outbox.objects.bulk_create(
        Outbox(
            recipient=f"patient{i}@bench.example",
            subject="A message from Riverside Skin Clinic",
            body_text="Hello.\n\nYour appointment is confirmed.\n",
            body_html="<p>Hello.</p><p>Your appointment is confirmed.</p>",
            kind="bench",
            cause=f"bench:{tag}:{i}",
            idempotency_key=f"bench:{tag}:{i}",
            send_after=now,
            next_attempt_at=now,
            message_id=f"<{uuid.uuid4().hex}@bench.example>",
            created_at=now,
        )
        for i in range(n)
    )
    return [row.pk for row in rows]


def smtp_settings(port):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    )


def cron(n: int) -> dict:
    due_rows(n, "cron")
    with smtp_sink() as (sink, port), smtp_settings(port):
        profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
        start = time.perf_counter()
        if profile:
            profile.enable()
        call_command("send_due_mail", "--limit", str(n), stdout=io.StringIO())
        elapsed = time.perf_counter() - start
        if profile:
            profile.disable()
            pstats.Stats(profile).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative")).print_stats(40)
    sent = len(sink.accepted)
    return {"emails": sent, "seconds": round(elapsed, 3), "per_s": round(sent / elapsed, 1)}


def bare(n: int) -> dict:
    """The same messages through smtplib alone: one connection for all, and one connection each."""
    ids = due_rows(n, "bare")
    rows = list(Outbox.objects.filter(pk__in=ids))
    messages = [sending.build_message(row, now=timezone.now()).message().as_bytes() for row in rows]
    Outbox.objects.filter(pk__in=ids).delete()
    results = {}
    with smtp_sink() as (sink, port):
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as smtp:
            for row, message in zip(rows, messages, strict=True):
                smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [row.recipient], message)
        elapsed = time.perf_counter() - start
        results["one connection"] = {"emails": n, "seconds": round(elapsed, 3), "per_s": round(n / elapsed, 1)}
        start = time.perf_counter()
        for row, message in zip(rows, messages, strict=True):
            with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as smtp:
                smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [row.recipient], message)
        elapsed = time.perf_counter() - start
        results["a connection each"] = {"emails": n, "seconds": round(elapsed, 3), "per_s": round(n / elapsed, 1)}
        assert len(sink.accepted) == 2 * n
    return results


def worker(n: int, *, folder: Path, db_url: str) -> dict:
    """A real `celery worker -c 2`, n due rows at a time: time until all are sent.

    Twice: handed out by the sweep (`dispatch_due`: tasks of OUTBOX_WORKER_BATCH ids, each sent
    over the process's one connection), and one task per email (`publish_send`, as a booking's
    email is handed over when its transaction commits).
    """
    redis = RedisServer(folder / "redis").start()
    results = {}
    try:
        with smtp_sink() as (sink, port):
            env = app_env(smtp_port=port, broker_url=redis.url, db_url=db_url, DJANGO_SETTINGS_MODULE="clinic.settings")
            celery = Worker(env, folder / "worker.log").start(timeout=90)
            try:
                with use_broker(redis.url), override_settings(OUTBOX_USE_CELERY=True, OUTBOX_BATCH_SIZE=n):
                    for label, hand_out in (
                        (f"the sweep's batches of {settings.OUTBOX_WORKER_BATCH}", _sweep),
                        ("one task per email", _one_task_each),
                    ):
                        ids = due_rows(n, f"worker-{len(results)}")
                        start = time.perf_counter()
                        hand_out(ids)
                        done = wait_until(
                            lambda ids=ids: Outbox.objects.filter(pk__in=ids, status=Outbox.Status.SENT).count() == n,
                            timeout=300,
                            every=0.05,
                        )
                        elapsed = time.perf_counter() - start
                        assert done, celery.log()
                        results[label] = {"emails": n, "seconds": round(elapsed, 3), "per_s": round(n / elapsed, 1)}
            finally:
                celery.stop()
        return results
    finally:
        redis.kill()


def _sweep(ids: list[int]) -> None:
    assert sending.dispatch_due(now=timezone.now()) == len(ids)


def _one_task_each(ids: list[int]) -> None:
    for pk in ids:
        assert publish_send(pk)
