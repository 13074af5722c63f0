"""Fixtures for the clinic's fault tests in every folder: this process publishing to the test's Redis, real workers."""

import pytest

from tests.support.worker import LEASE, Worker, use_broker


@pytest.fixture
def broker(redis_proc, redisdb, monkeypatch, settings):
    """This process publishes to the test's Redis (emptied afterwards), with the chaos tests' short lease."""
    from clinic.mail import outbox

    settings.OUTBOX_LEASE_SECONDS = LEASE
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)
    url = f"redis://{redis_proc.host}:{redis_proc.port}/0"
    with use_broker(url):
        yield url


@pytest.fixture
def workers(tmp_path):
    """Start real workers; all are stopped at the end, before the test database is flushed."""
    started = []

    def start(env):
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
