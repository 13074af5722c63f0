"""I1: a bounded load run on 127.0.0.1: gunicorn (-w 2 --threads 4), 20 visitors browsing and booking hot slots.

The site runs as in production (DEBUG off, PostgreSQL, Redis as broker), reached the way its
TLS proxy reaches it. Afterwards: no 5xx, no overlapping appointments (checked in SQL), and
exactly the emails the bookings owe. Latency is printed, never asserted: this machine is shared.
"""

import collections
import datetime
import random
import re
import statistics
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone

from clinic.models import Appointment, Outbox
from tests.support.load_client import ProxiedSession
from tests.support.redis_server import RedisServer
from tests.support.smtp_sink import smtp_sink
from tests.support.web_server import gunicorn
from tests.support.worker import app_env

pytestmark = [
    pytest.mark.load,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CLIENTS = 20
RUN_SECONDS = 40  # the deadline
MAX_ITERATIONS = 150  # per client: the count bound
BOOKING_SHARE = 0.2  # of iterations; a booking walk is several requests, so about 20% of requests are POSTs
HOT_SLOTS = 10
BROWSE = ["/", "/milia/", "/treatments/laser/", "/book/"]
DETAILS = {"phone": "07911 123456", "date_of_birth": "1990-05-17", "notes": "", "privacy_consent": "on"}
ANSWERS = dict.fromkeys(
    ["cold_sores", "isotretinoin", "pregnant", "keloid_scars", "blood_thinners", "anaesthetic_allergy"], "no"
)
# A booking owes a confirmation now and a reminder 48 hours before (the hot slots are three or more days away).
EXPECTED_KINDS = ["booking_confirmed", "booking_reminder"]


class Journey:
    """The outcome of one visitor's walk through /book/: booked, taken (409 at some step) or an unexpected answer."""

    def __init__(self):
        self.result = None
        self.problem = None

    def expect(self, step, status, allowed):
        if status not in allowed:
            self.problem = f"{step}: {status}"
            return False
        return True


def book(session, consultation, slot, n):
    """Walk /book/ step by step for `slot`; returns a Journey."""
    journey = Journey()
    practitioner = slot.practitioner.pk
    status, headers, _ = session.get(f"/book/?consultation_type={consultation}&practitioner={practitioner}")
    if not journey.expect("choose", status, {302}):
        return journey
    if not journey.expect("times", session.get("/book/times/")[0], {200}):
        return journey
    status = session.post("/book/times/", {"slot": slot.start.isoformat()})[0]
    if not journey.expect("pick", status, {302, 409}) or status == 409:
        journey.result = "taken" if status == 409 else None
        return journey
    details = {**DETAILS, "name": f"Load Patient {n}", "email": f"load{n}@example.org"}
    if not journey.expect("details", session.post("/book/details/", details)[0], {302}):
        return journey
    if not journey.expect("questions", session.post("/book/questions/", ANSWERS)[0], {302}):
        return journey
    status, _, body = session.get("/book/review/")
    if not journey.expect("review", status, {200}):
        return journey
    key = re.search(r'name="idempotency_key" value="([^"]+)"', body).group(1)
    status, headers, _ = session.post("/book/review/", {"idempotency_key": key})
    if not journey.expect("confirm", status, {302, 409}):
        return journey
    if status == 409:
        journey.result = "taken"
        return journey
    if not journey.expect("confirm-location", headers.get("Location"), {"/book/confirmed/"}):
        return journey
    journey.result = "booked" if journey.expect("confirmed", session.get("/book/confirmed/")[0], {200}) else None
    return journey


def hot_slots(consultation, practitioner):
    """Five pairs of overlapping slots (start, start + 15 min), an hour apart, at least three days ahead.

    At most one of each pair can be booked, so a double booking would be an overlap the SQL
    check sees, not only two bookings of one start. Three days ahead, every booking owes a reminder.
    """
    from clinic.booking import schedule

    now = timezone.now()
    first = timezone.localdate() + datetime.timedelta(days=3)
    free = schedule.free_slots(
        consultation_type=consultation,
        practitioner=practitioner,
        first_day=first,
        last_day=first + datetime.timedelta(days=14),
        now=now,
    )
    starts = {slot.start: slot for slot in free}
    chosen, next_pair = [], None
    for slot in free:  # sorted by start; a bounded walk
        partner = starts.get(slot.start + datetime.timedelta(minutes=15))
        if partner is None or (next_pair and slot.start < next_pair):
            continue
        chosen += [slot, partner]
        next_pair = slot.start + datetime.timedelta(hours=1)  # 15 + 30 min + 10 min buffer < 60: pairs never overlap
        if len(chosen) == HOT_SLOTS:
            break
    return chosen


def overlapping_active_appointments():
    """Pairs of active appointments of one practitioner whose blocked times overlap, straight from SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.id, b.id
            FROM clinic_appointment a
            JOIN clinic_appointment b
              ON a.id < b.id
             AND a.practitioner_id = b.practitioner_id
             AND a.starts_at < b.blocks_until
             AND b.starts_at < a.blocks_until
            WHERE a.status = ANY(%s) AND b.status = ANY(%s)
            """,
            [list(Appointment.ACTIVE_STATUSES), list(Appointment.ACTIVE_STATUSES)],
        )
        return cursor.fetchall()


def percentile(values, q):
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


@pytest.mark.timeout(240)
def test_I1_twenty_visitors_browse_and_race_for_ten_hot_slots_without_errors_or_double_bookings(
    on_postgres, consultation, dr_shah, tmp_path
):
    """I1: 20 threads for up to 40 s against gunicorn: 0x5xx, no overlapping bookings, two emails per booking."""
    slots = hot_slots(consultation, dr_shah)
    assert len(slots) == HOT_SLOTS
    redis = RedisServer(tmp_path / "redis").start()
    requests = []  # (method, path, status, seconds); list.append is atomic
    journeys = []
    crashes = []  # an exception in a visitor thread would otherwise vanish with the thread
    stop_at = time.monotonic() + RUN_SECONDS

    def record(method, path, status, seconds):
        requests.append((method, path.split("?")[0], status, seconds))

    def visitor(i, base_url):
        rng = random.Random(i)
        session = ProxiedSession(base_url, record=record)
        try:
            for n in range(MAX_ITERATIONS):
                if time.monotonic() > stop_at:
                    break
                if rng.random() < BOOKING_SHARE:
                    # A fresh visitor for each booking: a new session, as a new patient would have.
                    fresh = ProxiedSession(base_url, record=record)
                    journeys.append(book(fresh, consultation.slug, rng.choice(slots), f"{i}-{n}"))
                else:
                    session.get(rng.choice(BROWSE))
        except Exception as exc:  # reported below, as a failure
            crashes.append(repr(exc))

    try:
        with smtp_sink() as (_, smtp_port):
            env = app_env(
                smtp_port=smtp_port, broker_url=redis.url, BEHIND_TLS_PROXY="true", SECURE_SSL_REDIRECT="false"
            )
            with gunicorn(env, tmp_path / "gunicorn.log") as base_url:
                for path in BROWSE:  # warm up both workers' caches and connections; the pages exist
                    assert ProxiedSession(base_url).get(path)[0] == 200, path
                started = time.monotonic()
                threads = [threading.Thread(target=visitor, args=(i, base_url)) for i in range(CLIENTS)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=RUN_SECONDS + 60)
                assert not any(t.is_alive() for t in threads), "a visitor thread is still running"
                elapsed = time.monotonic() - started
    finally:
        redis.kill()

    statuses = collections.Counter(status for _, _, status, _ in requests)
    latencies = [seconds for _, _, _, seconds in requests]
    posts = sum(1 for method, *_ in requests if method == "POST")
    outcomes = collections.Counter(j.result or f"problem ({j.problem})" for j in journeys)
    print(
        f"\nI1: {len(requests)} requests in {elapsed:.1f} s ({len(requests) / elapsed:.0f}/s), "
        f"{100 * posts / len(requests):.0f}% POST; statuses {dict(statuses)}; booking walks {dict(outcomes)}; "
        f"latency p50 {1000 * percentile(latencies, 50):.0f} ms, p95 {1000 * percentile(latencies, 95):.0f} ms, "
        f"max {1000 * max(latencies):.0f} ms"
    )
    by_path = collections.defaultdict(list)
    for method, path, _, seconds in requests:
        by_path[f"{method} {path}"].append(seconds)
    for name, values in sorted(by_path.items()):
        p50, p95 = 1000 * percentile(values, 50), 1000 * percentile(values, 95)
        print(f"    {name:28} n={len(values):4}  p50 {p50:5.0f} ms  p95 {p95:5.0f} ms")

    assert crashes == []
    assert not [s for s in statuses if s >= 500 or s == 0], f"server errors or no answer: {dict(statuses)}"
    assert [j.problem for j in journeys if j.problem] == []
    assert len(requests) >= 200, "too little load to mean anything"
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "Traceback" not in log and "WORKER TIMEOUT" not in log, log[-3000:]
    booked = Appointment.objects.all()
    # Every 302 the visitors saw is one appointment, and every appointment was seen by its visitor.
    assert booked.count() == outcomes["booked"] >= 1
    assert booked.count() <= HOT_SLOTS // 2  # one per overlapping pair at most
    assert overlapping_active_appointments() == []
    assert {(a.practitioner_id, a.starts_at) for a in booked} <= {(s.practitioner.pk, s.start) for s in slots}
    # Exactly the emails the bookings owe; a booking that lost the race left none behind.
    for appointment in booked:
        kinds = Outbox.objects.filter(cause=f"appointment:{appointment.pk}").values_list("kind", flat=True)
        assert sorted(kinds) == EXPECTED_KINDS
    assert Outbox.objects.count() == booked.count() * len(EXPECTED_KINDS)
