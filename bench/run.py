"""Benchmarks, run by hand (`make bench`); figures go to docs/PERFORMANCE.md. Loopback only, bounded.

1. availability: the pure slot computation for a big clinic.
2. slot loading: schedule.free_slots against a real database (queries and time).
3. HTTP: gunicorn (2 workers x 4 threads) serving patient pages, driven by a bounded client.
4. memory: resident size of a gunicorn worker after the load.
5. outbox: emails sent per second through a local SMTP sink by the cron command.
"""

import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "VAR_DIR": str(VAR),
    "STATIC_ROOT": str(VAR / "static"),
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{VAR / 'bench.sqlite3'}"),
    "OUTBOX_USE_CELERY": "false",
}
os.environ.update(ENV)
os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic import availability, outbox, schedule  # noqa: E402
from clinic.demo import load_demo_schedule  # noqa: E402
from clinic.models import Appointment, ConsultationType, Patient, Practitioner  # noqa: E402

TZ = ZoneInfo("Europe/London")
results = {}


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_availability():
    now = datetime.datetime(2026, 12, 7, 8, tzinfo=TZ)
    hours = [
        availability.WorkingHours(d, datetime.time(h1), datetime.time(h2))
        for d in range(5)
        for h1, h2 in ((9, 12), (13, 17))
    ]
    rules = availability.Rules(datetime.timedelta(hours=12), 60, datetime.timedelta(minutes=15))
    busy = [
        availability.Interval(now + datetime.timedelta(hours=3 * i), now + datetime.timedelta(hours=3 * i, minutes=40))
        for i in range(500)
    ]

    def run():
        for _ in range(10):
            availability.free_slots(
                tz=TZ,
                hours=hours,
                closures=[],
                busy=busy,
                rules=rules,
                duration=datetime.timedelta(minutes=30),
                buffer=datetime.timedelta(minutes=10),
                now=now,
                first_day=now.date(),
                last_day=now.date() + datetime.timedelta(days=59),
            )

    results["availability_10_practitioners_60_days_500_busy_ms"] = round(best_of(run) * 1000, 1)


def bench_slot_loading():
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_demo_schedule()
    kind = ConsultationType.objects.get(slug="milia-consultation")
    now = timezone.now()
    patient = Patient.objects.create(name="Bench", email="bench@example.org", phone="+447911123456")
    appointments = []
    for practitioner in Practitioner.objects.all():
        start = now + datetime.timedelta(days=1)
        for i in range(300):
            s = start + datetime.timedelta(hours=2 * i)
            appointments.append(
                Appointment(
                    patient=patient,
                    practitioner=practitioner,
                    consultation_type=kind,
                    starts_at=s,
                    ends_at=s + datetime.timedelta(minutes=30),
                    blocks_until=s + datetime.timedelta(minutes=40),
                    privacy_notice_version="bench",
                    consented_at=now,
                )
            )
    Appointment.objects.bulk_create(appointments)
    today = timezone.localdate()

    def run():
        schedule.free_slots(
            consultation_type=kind, first_day=today, last_day=today + datetime.timedelta(days=59), now=now
        )

    with CaptureQueriesContext(connection) as queries:
        run()
    results["slot_loading_queries"] = len(queries)
    results["slot_loading_2_practitioners_60_days_600_appointments_ms"] = round(best_of(run) * 1000, 1)


def http_load(base, path, total=600, threads=8):
    latencies = []
    lock = threading.Lock()
    per_thread = total // threads
    errors = []

    def worker():
        for _ in range(per_thread):
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 200
            except Exception as error:  # noqa: BLE001 — a benchmark counts failures, it doesn't stop
                errors.append(repr(error))
                ok = False
            with lock:
                latencies.append((time.perf_counter() - start, ok))

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    elapsed = time.perf_counter() - started
    times = sorted(t for t, _ in latencies)
    return {
        "requests": len(latencies),
        "failures": sum(1 for _, ok in latencies if not ok),
        "req_per_s": round(len(latencies) / elapsed),
        "p50_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1),
    }


def bench_http():
    import psutil

    port = 8765
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "clinic.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        for path in ("/milia/", "/treatments/laser/", "/", "/search/?q=scar"):
            http_load(base, path, total=80)  # warm the caches
            results[f"http {path}"] = http_load(base, path)
        workers = psutil.Process(server.pid).children()
        results["gunicorn_worker_rss_mb"] = [round(w.memory_info().rss / 2**20) for w in workers]
    finally:
        server.terminate()
        server.wait(timeout=10)


def bench_outbox():
    from tests.support.smtp_sink import smtp_sink

    with transaction.atomic():
        for i in range(500):
            outbox.queue_email(
                to=f"p{i}@example.test",
                template="test_message",
                context={"name": "Pat"},
                kind="bench",
                cause=f"bench:{i}",
                idempotency_key=f"bench:{i}",
            )
    from django.conf import settings

    with smtp_sink() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        started = time.perf_counter()
        call_command("send_due_mail", verbosity=0)
        elapsed = time.perf_counter() - started
    results["outbox_emails"] = len(sink.accepted)
    results["outbox_emails_per_s"] = round(len(sink.accepted) / elapsed)


if __name__ == "__main__":
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    logging.getLogger("clinic.outbox").setLevel(logging.WARNING)
    bench_availability()
    bench_slot_loading()
    bench_http()
    bench_outbox()
    results["database"] = connection.vendor
    results["cpus"] = os.cpu_count()
    print(json.dumps(results, indent=2))
