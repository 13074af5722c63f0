"""The outbox under the faults of RELIABILITY.md rows G7, G10, G11, G12, G13 and H3.

Real processes on 127.0.0.1 only: Celery worker subprocesses, a private redis-server per
test (crashed, restarted, scanned), the tests' PostgreSQL (stopped with `-m immediate` and
started again), an aiosmtpd sink. Every wait is bounded by a count and a deadline.
"""

import datetime
import json
import math
import re
import time
import uuid

import psutil
import pytest
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from clinic.mail import outbox, sending
from clinic.models import Outbox
from tests.factories import OutboxFactory
from tests.support import postgres_server
from tests.support.redis_server import RedisServer, every_value
from tests.support.smtp_sink import smtp_sink
from tests.support.worker import Worker, app_env, use_broker, wait_until

Status = Outbox.Status
LEASE = 10  # seconds: a lost email is handed out again within seconds, not minutes (as in test_outbox_chaos)
QUEUE = "celery"  # the Redis list Celery's default queue lives in


@pytest.fixture
def redis_server(tmp_path):
    """Start private redis-servers (volatile unless durable=True); all are killed at the end."""
    started = []

    def start(durable=False):
        server = RedisServer(tmp_path / f"redis-{len(started)}", durable=durable).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture
def broker(redis_server, monkeypatch, settings):
    """A private Redis this process publishes to, with the chaos tests' short lease."""
    settings.OUTBOX_LEASE_SECONDS = LEASE
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)
    server = redis_server()
    with use_broker(server.url):
        yield server


@pytest.fixture
def workers(tmp_path, redis_server):
    """Start real workers; all are stopped at the end, before their Redis and the test database go."""
    started = []

    def start(env, args=()):
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log", args=args).start(timeout=60)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def worker_env(broker_url, smtp_port, **extra):
    return app_env(smtp_port=smtp_port, broker_url=broker_url, OUTBOX_LEASE_SECONDS=LEASE, **extra)


def queue_now(i, **overrides):
    """Queue one due email in its own transaction: it is published to the broker at commit."""
    values = {
        "to": f"patient{i}@example.test",
        "template": "test_message",
        "context": {"name": "Pat"},
        "kind": "test_message",
        "cause": f"faults:{i}",
        "idempotency_key": f"faults:{i}",
    }
    with transaction.atomic():
        return outbox.queue_email(**{**values, **overrides})


def sweep():
    """What beat's every-minute job does, run here as often as the test needs."""
    return sending.dispatch_due(now=timezone.now())


def all_sent(rows):
    ids = [r.pk for r in rows]
    return lambda: Outbox.objects.filter(pk__in=ids, status=Status.SENT).count() == len(ids)


def outcome(rows):
    ids = [r.pk for r in rows]
    return list(Outbox.objects.filter(pk__in=ids).values_list("status", "attempts", "last_error").order_by("pk"))


def message_ids(rows):
    return {r.message_id for r in rows}


def assert_each_email_arrived_once(sink, rows, *, may_repeat=frozenset()):
    """Every row's Message-ID reached the sink; a repeat only of `may_repeat` (senders lost mid-send, the G5 rule)."""
    seen = [d.message_id for d in sink.deliveries]
    assert set(seen) == message_ids(rows), "an email was lost, or one the test did not queue arrived"
    repeated = {m for m in seen if seen.count(m) > 1}
    assert repeated <= set(may_repeat), f"{len(repeated)} email(s) arrived twice outside the G5 rule"
    assert len(seen) - len(set(seen)) <= len(may_repeat)


# --- G7: Redis crashes and comes back empty (or from its AOF) -------------------------


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(150)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G7_redis_killed_and_restarted_empty_loses_the_queue_and_the_sweep_sends_every_email_once(
    on_postgres, broker, workers, settings
):
    """G7: 100 emails queued in Redis (AOF off), kill -9 and restart empty: after the lease the sweep sends all once."""
    redis = broker
    with smtp_sink([("sleep", 4), ("sleep", 4)]) as (sink, port):
        rows = [queue_now(i) for i in range(100)]  # each published when its transaction commits
        # A sweep as beat runs it: it leases every row (LEASE s) and publishes them again, in batch tasks.
        assert sweep() == 100
        batches = math.ceil(100 / settings.OUTBOX_WORKER_BATCH)
        assert redis.client().llen(QUEUE) == 100 + batches
        # The worker takes two single-email tasks (prefetch 1 x concurrency 2) and hangs in DATA; the rest wait.
        worker = workers(worker_env(redis.url, port))
        assert wait_until(lambda: len(sink.deliveries) >= 2, timeout=30), worker.log()
        in_flight = {d.message_id for d in sink.deliveries}
        assert redis.client().llen(QUEUE) == 100 + batches - 2
        redis.kill()
        redis.start()  # same port, empty: no RDB, no AOF
        crashed_at = time.monotonic()
        # Empty: the worker may already have reconnected and declared its queue, but no message is left.
        assert (redis.client().llen(QUEUE), redis.client().hlen("unacked")) == (0, 0)
        # Nothing but the in-flight pair can have been sent: the rest exist only as rows now.
        assert Outbox.objects.filter(status=Status.SENT).count() <= len(in_flight)
        # The worker reconnects by itself; the sweep (this process's publisher reconnects too)
        # hands out again every row still pending once the dispatcher's lease has run out.
        assert wait_until(all_sent(rows), timeout=90, every=0.5, between=sweep), (outcome(rows)[:5], worker.log())
        recovered_after = time.monotonic() - crashed_at
    print(f"\nG7 volatile: all 100 sent {recovered_after:.1f} s after the crash (lease {LEASE} s)")
    assert_each_email_arrived_once(sink, rows, may_repeat=in_flight)
    assert not Outbox.objects.filter(status__in=[Status.SENDING, Status.PENDING]).exists()


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G7_durable_redis_killed_keeps_what_it_fsynced_and_the_sweep_sends_the_rest_once(
    on_postgres, redis_server, workers, settings, monkeypatch
):
    """G7 durable (appendonly yes, everysec): what was written 1 s before kill -9 survives; loss window: last 1-2 s."""
    # 50 emails are published, 2.5 s pass (Redis fsyncs every second, and may hold a write back
    # up to 2 s while an fsync is slow), 50 more are published and Redis is killed at once.
    # The first 50 must come back from the AOF; of the last 50 any number may be lost (printed).
    # A process crash keeps what Redis wrote to the page cache, so usually none are; a power cut
    # would lose up to the last second or two. The sweep sends whatever was lost: 100 emails, once each.
    settings.OUTBOX_LEASE_SECONDS = LEASE
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)
    redis = redis_server(durable=True)
    with smtp_sink() as (sink, port), use_broker(redis.url):
        rows = [queue_now(i) for i in range(50)]
        time.sleep(2.5)  # older than the fsync window
        rows += [queue_now(i) for i in range(50, 100)]
        redis.kill()
        redis.start()  # same port and --dir: replays appendonly.aof
        survived = redis.client().llen(QUEUE)
        print(f"\nG7 durable: {survived} of 100 messages survived kill -9; lost in the window: {100 - survived} of 50")
        assert 50 <= survived <= 100, "a message written before the fsync window was lost"
        workers(worker_env(redis.url, port))
        assert wait_until(all_sent(rows), timeout=60, every=0.5, between=sweep), outcome(rows)[:5]
        time.sleep(1)  # a surviving message for a row the sweep already handed out must send nothing
    assert_each_email_arrived_once(sink, rows)
    assert set(Outbox.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


# --- G10: PostgreSQL restarts while workers send --------------------------------------


def survive_outages(step):
    """Run `step` (the sweep) as beat would: a lost database connection fails this run; the next one reconnects."""

    def run():
        try:
            step()
        except (OperationalError, InterfaceError):
            connection.close()  # the next try opens a new connection

    return run


@pytest.fixture
def pg_restarts(postgresql_proc, tmp_path):
    """Stop and start the session's PostgreSQL; afterwards it is running and this process's connection is fresh."""
    log = tmp_path / "pg_ctl.log"
    yield postgresql_proc, log
    postgres_server.running_again(postgresql_proc, log=log)
    connection.close()


def postmaster_started_at():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time()")
        return cursor.fetchone()[0]


DB_ERROR = re.compile(r"OperationalError|InterfaceError|server closed the connection|terminating connection")


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(180)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G10_postgresql_restart_mid_dispatch_loses_no_email_and_repeats_only_those_in_flight(
    on_postgres, broker, workers, pg_restarts
):
    """G10: two workers sending 300 due emails; `pg_ctl stop -m immediate`, then start: they reconnect, all sent."""
    proc, pg_log = pg_restarts
    first_started_at = postmaster_started_at()
    rows = OutboxFactory.create_batch(300, send_after=timezone.now() - datetime.timedelta(minutes=1))
    with smtp_sink(delay=0.03) as (sink, port):
        env = worker_env(broker.url, port)
        pair = [workers(env), workers(env)]  # four senders (2 x -c 2), like G3's three dispatchers
        assert sweep() == 300
        assert wait_until(lambda: len(sink.deliveries) >= 60, timeout=60), pair[0].log()
        logs_at_crash = [w.log_path.stat().st_size for w in pair]
        postgres_server.stop_immediately(proc, log=pg_log)
        delivered_at_crash = len(sink.deliveries)
        # While the database is down the workers meet it (each task fails and is logged) and
        # this process's sweep fails the way beat's would.
        time.sleep(2)
        survive_outages(sweep)()
        postgres_server.start(proc, log=pg_log)
        assert delivered_at_crash < 300, "the restart came too late to be mid-dispatch"
        # Every pending row comes back through the sweep once its dispatcher lease has passed.
        assert wait_until(all_sent(rows), timeout=120, every=0.5, between=survive_outages(sweep)), (
            Outbox.objects.exclude(status=Status.SENT).values_list("status", "attempts", "last_error")[:5],
            pair[0].log(),
        )
    assert postmaster_started_at() > first_started_at  # it really was a new server
    seen = [d.message_id for d in sink.deliveries]
    assert set(seen) == message_ids(rows)
    # A repeat is the same email (same Message-ID), only of a row whose sender lost it mid-send:
    # at most the four in flight at the crash, and never more sends than claims recorded.
    attempts = dict(Outbox.objects.values_list("message_id", "attempts"))
    assert len(seen) - len(set(seen)) <= 4
    assert all(seen.count(m) <= attempts[m] for m in set(seen))
    # Each worker logged the outage and reached the database again afterwards.
    for worker, offset in zip(pair, logs_at_crash, strict=True):
        after = worker.log_path.read_text(errors="replace")[offset:]
        error = DB_ERROR.search(after)
        assert error, f"no database error logged:\n{after[-2000:]}"
        # Back at work: it sent again, or (its last batch caught mid-marking) recorded that batch once it could.
        back = re.search(r"outbox \d+ sent|outbox: database back", after[error.end() :])
        assert back, f"did not reach the database after the restart:\n{after[-2000:]}"
    print(f"\nG10: {delivered_at_crash} of 300 delivered before the crash; repeats {len(seen) - len(set(seen))}")


# --- G11: a deploy stops the worker with SIGTERM ---------------------------------------


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G11_sigterm_mid_send_lets_the_send_finish_and_the_next_worker_sends_the_rest_once(
    on_postgres, broker, workers
):
    """G11: SIGTERM (docker stop) while two sends hang in DATA: both finish, exit 0; the new worker sends the rest."""
    with smtp_sink([("sleep", 4), ("sleep", 4)]) as (sink, port):
        env = worker_env(broker.url, port)
        old = workers(env)
        rows = [queue_now(i) for i in range(8)]
        assert wait_until(lambda: len(sink.deliveries) >= 2, timeout=30), old.log()
        in_flight = {d.message_id for d in sink.deliveries}
        replies_at = max(d.at for d in sink.deliveries) + 4
        old.terminate()
        exit_code = old.wait(timeout=40)
        assert exit_code == 0, old.log()
        # The warm shutdown waited for the SMTP server's reply rather than abandoning the send.
        assert time.monotonic() >= replies_at - 0.5
        done = dict(Outbox.objects.filter(message_id__in=in_flight).values_list("message_id", "status"))
        assert done == dict.fromkeys(in_flight, Status.SENT)
        # The rest were never started: still pending, their messages back in Redis for the next worker.
        assert Outbox.objects.filter(status=Status.PENDING).count() == len(rows) - len(in_flight)
        assert broker.client().llen(QUEUE) == len(rows) - len(in_flight)
        workers(env)
        # No sweep here: the new worker alone sends them, from the queue the old one left intact.
        assert wait_until(all_sent(rows), timeout=40), outcome(rows)
    assert_each_email_arrived_once(sink, rows)
    assert set(Outbox.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G11_sigterm_to_the_whole_process_group_cuts_the_sends_and_the_lease_requeues_them(
    on_postgres, broker, workers
):
    """G11, other branch: SIGTERM to every worker process (systemd's default KillMode) cuts the sends; rows re-queue."""
    # Celery's pool processes take SIGTERM's default action and die mid-DATA, so this deploy
    # becomes G5: the rows stay "sending" until their lease ends, then the sweep hands them to
    # the new worker. Nothing is lost; a repeat can only be one of the cut sends, same Message-ID.
    with smtp_sink([("sleep", 4), ("sleep", 4)]) as (sink, port):
        env = worker_env(broker.url, port)
        old = workers(env)
        rows = [queue_now(i) for i in range(8)]
        assert wait_until(lambda: len(sink.deliveries) >= 2, timeout=30), old.log()
        in_flight = {d.message_id for d in sink.deliveries}
        old.stop()  # SIGTERM to the process group (SIGKILL if it outlasts 15 s)
        cut = dict(Outbox.objects.filter(message_id__in=in_flight).values_list("message_id", "status"))
        assert cut == dict.fromkeys(in_flight, Status.SENDING), "the sends were not cut: this premise changed"
        workers(env)
        assert wait_until(all_sent(rows), timeout=60, every=0.5, between=sweep), outcome(rows)
    assert_each_email_arrived_once(sink, rows, may_repeat=in_flight)
    attempts = dict(Outbox.objects.values_list("message_id", "attempts"))
    assert {attempts[m] for m in in_flight} == {2}  # claimed again after the lease, not before
    assert {attempts[r.message_id] for r in rows if r.message_id not in in_flight} == {1}


# --- G12: why aftercare is not an ETA task ------------------------------------------


class RanMoreThanOnce(AssertionError):
    """The one failure G12 expects; any other (the task never ran, a worker died) is a real failure."""


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.timeout(120)
@pytest.mark.xfail(
    strict=True,
    raises=RanMoreThanOnce,
    reason="kombu#337: Redis re-delivers an unacknowledged message after visibility_timeout, and an ETA "
    "task stays unacknowledged until it runs, so a second worker runs it again. This is why aftercare "
    "emails are outbox rows with a send time, not ETA tasks. An XPASS means the premise changed.",
)
def test_G12_an_eta_task_longer_than_the_visibility_timeout_runs_exactly_once(redis_server, workers, tmp_path):
    """G12 (negative control): 2 workers, visibility_timeout=5, countdown=15: the task should run once, and does not."""
    from clinic.celery import app

    redis = redis_server()
    runs = tmp_path / "runs.txt"
    runs.touch()
    env = app_env(
        smtp_port=1,  # never used: the counting task sends nothing
        broker_url=redis.url,
        CELERY_VISIBILITY_TIMEOUT=5,
        ETA_TEST_RESTORE_EVERY=1,  # see tests/support/eta_tasks.py: kombu's ~100 s between restores, squeezed
    )
    for _ in range(2):
        workers(env, args=["--include", "tests.support.eta_tasks"])
    with use_broker(redis.url):
        app.send_task("tests.support.eta_tasks.count_run", args=[str(runs)], countdown=15)
    eta = time.monotonic() + 15

    def count():
        return len(runs.read_text().split())

    # Wait past the ETA for a second run; stop early once there is one.
    wait_until(lambda: count() >= 2, timeout=15 + 10, every=0.5)
    assert count() >= 1, "the ETA task never ran"
    assert time.monotonic() >= eta or count() >= 2
    if count() != 1:
        raise RanMoreThanOnce(f"the task ran {count()} times (pids {runs.read_text().split()})")


# --- G13: worker memory, 10,000 ETA tasks against 10,000 outbox rows -----------------------

MB = 1024 * 1024
HELD = 10_000


def worker_rss(worker):
    """Resident memory of the worker's main process and its pool children, in bytes."""
    main = psutil.Process(worker.process.pid)
    return sum(p.memory_info().rss for p in [main, *main.children(recursive=True)])


def settled_rss(worker, *, samples=5):
    """The median of a few samples, a little apart (one sample may catch a garbage collection)."""
    values = []
    for _ in range(samples):
        values.append(worker_rss(worker))
        time.sleep(0.2)
    return sorted(values)[len(values) // 2]


def publish_copies(client, template, n):
    """LPUSH `n` copies of one Celery message, each with its own task id and delivery tag (pipelined: fast)."""
    pipe = client.pipeline(transaction=False)
    for i in range(n):
        message = json.loads(template)
        task_id = str(uuid.uuid4())
        message["headers"].update(id=task_id, root_id=task_id, argsrepr=f"[{i}]")
        message["properties"].update(correlation_id=task_id, delivery_tag=str(uuid.uuid4()))
        pipe.lpush(QUEUE, json.dumps(message))
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(150)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_G13_a_worker_holds_every_eta_task_in_memory_but_none_of_the_waiting_outbox_rows(
    on_postgres, redis_server, workers, settings
):
    """G13: 10,000 ETA tasks an hour away grow the worker's memory in proportion; 10,000 outbox rows leave it flat."""
    from clinic.celery import app
    from clinic.mail.tasks import dispatch_due_email

    settings.OUTBOX_LEASE_SECONDS = LEASE
    eta_redis, outbox_redis = redis_server(), redis_server()
    args = ["--include", "tests.support.eta_tasks"]
    client = eta_redis.client()

    # ETA: the worker fetches every task at once and keeps it (and its timer entry) until it is due.
    # One real message from Celery, copied 10,000 times (publishing each through Celery takes ~30 s here).
    with use_broker(eta_redis.url):
        app.send_task("tests.support.eta_tasks.noop", args=[0], countdown=3600)
    template = client.lpop(QUEUE)
    eta_worker = workers(app_env(smtp_port=1, broker_url=eta_redis.url), args=args)
    before = settled_rss(eta_worker)
    publish_copies(client, template, HELD)
    held = lambda: client.llen(QUEUE) == 0 and client.hlen("unacked") == HELD  # noqa: E731
    assert wait_until(held, timeout=60, every=0.5), (client.llen(QUEUE), client.hlen("unacked"))
    eta_growth = settled_rss(eta_worker) - before
    eta_worker.kill()  # a warm shutdown would first hand all 10,000 back to Redis

    # Outbox: the same 10,000 emails wait as rows; the worker runs the sweep (beat's task) and holds nothing.
    with smtp_sink() as (_, port), use_broker(outbox_redis.url):
        outbox_worker = workers(worker_env(outbox_redis.url, port), args=args)

        def sweeps_in_worker(n):
            # Celery logs "received" and "succeeded" for each task.
            done = outbox_worker.log(100_000).count("dispatch_due_email") + 2 * n
            for _ in range(n):
                dispatch_due_email.delay()
            assert wait_until(lambda: outbox_worker.log(100_000).count("dispatch_due_email") >= done, timeout=30)

        sweeps_in_worker(2)  # warm up: the pool processes import and connect on their first sweep
        before = settled_rss(outbox_worker)
        later = timezone.now() + datetime.timedelta(hours=1)
        Outbox.objects.bulk_create(
            [
                Outbox(
                    recipient=f"patient{n}@example.test",
                    subject="A message from Riverside Skin Clinic",
                    body_text="Hello.\n",
                    kind="aftercare_day_30",
                    cause=f"g13:{n}",
                    idempotency_key=f"g13:{n}",
                    send_after=later,
                    next_attempt_at=later,
                    message_id=f"<g13-{n}@clinic.test>",
                    created_at=timezone.now(),
                )
                for n in range(HELD)
            ],
            batch_size=2000,
        )
        sweeps_in_worker(3)
        outbox_growth = settled_rss(outbox_worker) - before
    print(f"\nG13: RSS growth: {HELD} ETA tasks {eta_growth / MB:.1f} MB, {HELD} rows {outbox_growth / MB:.1f} MB")
    assert Outbox.objects.filter(status=Status.PENDING, lease_until__isnull=True).count() == HELD  # none handed out
    assert eta_growth > 20 * MB  # about 8 KB a task here
    assert outbox_growth < 5 * MB
    assert eta_growth > 5 * max(outbox_growth, MB)


# --- H3: no personal data in the broker -----------------------------------------------

CANARIES = {
    "name": "CANARY-h3-name Patricia",
    "email": "canary-h3-mail@example.test",
    "phone": "+447700900317",
    "notes": "CANARY-h3-notes: itchy patch since May",
    "reason": "CANARY-h3-reason for cancelling",
}


def canaries_in_redis(client, canaries):
    """[(key, canary)] for every canary found in any value of any key (message bodies decoded)."""
    needles = [c.lower().encode() for c in canaries]
    found = set()
    for key, value in every_value(client):
        haystack = value.lower()
        found.update((key, needle.decode()) for needle in needles if needle in haystack)
    return sorted(found)


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_H3_no_personal_data_in_any_redis_key_before_during_or_after_sending(
    on_postgres, broker, workers, consultation
):
    """H3: book and cancel with canaries, send through a real worker; SCAN every key at each stage: no canary."""
    from clinic.booking import schedule
    from clinic.booking import services as booking
    from clinic.celery import app

    client = broker.client()
    needles = list(CANARIES.values()) + [CANARIES["phone"].lstrip("+")]
    # The scan can see a canary passed as a task argument (kombu base64-encodes message bodies).
    app.send_task("h3.control", args=[CANARIES["name"]], queue="h3-control")
    assert canaries_in_redis(client, needles), "the scan cannot see inside Celery messages"
    client.flushdb()

    now = timezone.now()
    first_day = timezone.localdate() + datetime.timedelta(days=3)
    slot = schedule.free_slots(
        consultation_type=consultation, first_day=first_day, last_day=first_day + datetime.timedelta(days=14), now=now
    )[0]
    details = booking.PatientDetails(
        name=CANARIES["name"],
        email=CANARIES["email"],
        phone=CANARIES["phone"],
        date_of_birth=datetime.date(1971, 3, 4),
    )
    answers = dict.fromkeys(
        ["cold_sores", "isotretinoin", "pregnant", "keloid_scars", "blood_thinners", "anaesthetic_allergy"], "no"
    )
    with smtp_sink([("sleep", 3)]) as (sink, port):
        appointment = booking.book_consultation(
            consultation_type=consultation,
            practitioner=slot.practitioner,
            starts_at=slot.start,
            details=details,
            answers=answers,
            notes=CANARIES["notes"],
            idempotency_key="h3-booking",
            now=now,
        )
        # 1. Queued, no worker yet: the confirmation's task waits in the list.
        assert client.llen(QUEUE) >= 1
        assert canaries_in_redis(client, needles) == []
        worker = workers(worker_env(broker.url, port))
        # 2. In flight: the sink holds the DATA, the message sits in Redis's unacked hash.
        assert wait_until(lambda: sink.deliveries, timeout=30), worker.log()
        assert client.hlen("unacked") >= 1
        assert canaries_in_redis(client, needles) == []
        booking.cancel_appointment(
            appointment=appointment, by_clinic=True, now=timezone.now(), reason=CANARIES["reason"]
        )
        emails = Outbox.objects.filter(cause=booking.cause_of(appointment))
        sent_kinds = lambda: set(emails.filter(status=Status.SENT).values_list("kind", flat=True))  # noqa: E731
        assert wait_until(lambda: sent_kinds() == {"booking_confirmed", "booking_cancelled"}, timeout=40, between=sweep)
    # 3. After: the canaries did travel (they are in the emails) but never through Redis.
    assert {tuple(d.rcpt_tos) for d in sink.deliveries} == {(CANARIES["email"],)}
    assert canaries_in_redis(client, needles) == []
    # No result backend: no task state or return value is stored anywhere.
    assert not list(client.scan_iter("celery-task-meta-*"))
    # The worker the test ran loads the same app: its configuration names no result backend.
    from clinic.celery import app

    assert app.conf.result_backend is None and app.conf.task_ignore_result is True
