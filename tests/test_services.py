"""The real services the suite and the site rely on: PostgreSQL, Redis, the Celery broker."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PUBLISH = (
    "from clinic.celery import app; app.send_task('clinic.mail.tasks.does_not_matter', args=[1]); print('published')"
)


def publish_with_broker(url):
    env = {**os.environ, "CELERY_BROKER_URL": url}
    # The subprocess's own timeout is the bound: a publish that hangs fails this test.
    return subprocess.run(
        [sys.executable, "-c", PUBLISH], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_main_test_database_is_postgresql_when_installed():
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 150000


@pytest.mark.redis
def test_tasks_are_published_to_redis(redisdb, redis_proc):
    result = publish_with_broker(f"redis://{redis_proc.host}:{redis_proc.port}/0")
    assert result.returncode == 0, result.stderr
    assert redisdb.llen("celery") == 1


def test_publishing_to_a_dead_broker_fails_fast_instead_of_hanging():
    result = publish_with_broker(f"redis://127.0.0.1:{free_port()}/0")
    assert result.returncode != 0
    assert "published" not in result.stdout


@pytest.mark.redis
def test_publishing_to_a_hung_redis_fails_fast_instead_of_hanging(redis_proc):
    os.kill(redis_proc.process.pid, signal.SIGSTOP)
    try:
        result = publish_with_broker(f"redis://{redis_proc.host}:{redis_proc.port}/0")
    finally:
        os.kill(redis_proc.process.pid, signal.SIGCONT)
    assert result.returncode != 0
