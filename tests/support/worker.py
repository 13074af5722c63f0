"""Real processes for the chaos tests: a Celery worker on the test's database, Redis and SMTP sink."""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from kombu import pools

ROOT = Path(__file__).resolve().parents[2]
# The fault tests' lease (seconds): a dead sender's email is sent again within seconds, not minutes.
LEASE = 10


def database_url():
    """The database this test uses (during a test, NAME is the test database's name)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{quote(db['NAME'])}"


def app_env(*, smtp_port, broker_url=None, db_url=None, **extra):
    """Environment for a subprocess running the site's code against the test's services."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        DATABASE_URL=db_url or database_url(),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="5",
        PYTHONUNBUFFERED="1",
    )
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
        env["CELERY_VISIBILITY_TIMEOUT"] = "10"  # redelivery within seconds (RELIABILITY.md, Harness)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def worker_env(broker_url, smtp_port, **extra):
    """A worker's environment for the fault tests: the test's broker and SMTP sink, the short lease."""
    return app_env(smtp_port=smtp_port, broker_url=broker_url, OUTBOX_LEASE_SECONDS=LEASE, **extra)


class Worker:
    """`celery -A clinic worker -c 2` as a subprocess in its own process group (so kill -9 takes its children)."""

    def __init__(self, env, log_path, *, args=()):
        self.env = env
        self.log_path = Path(log_path)
        self.args = list(args)  # more worker options, e.g. ["--include", "tests.support.eta_tasks"]
        self.process = None

    def start(self, timeout=30):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "clinic",
                    "-q",  # no banner: what is written is log lines
                    "worker",
                    "-c",
                    "2",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "INFO",
                    "-n",
                    f"chaos-{uuid.uuid4().hex[:8]}@%h",
                    *self.args,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        start = self.log_path.stat().st_size if self.log_path.exists() else 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            if b" ready." in self.log_path.read_bytes()[start:]:
                return self
            time.sleep(0.1)
        self.kill()
        raise TimeoutError(f"worker not ready after {timeout} s:\n{self.log()}")

    def kill(self):
        """kill -9 the worker and its pool processes at once, mid-whatever."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout=15):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def terminate(self):
        """SIGTERM to the main process only, as `docker stop` or systemd's KillMode=mixed do: a warm shutdown."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout):
        """The exit code, or None if the worker is still running after `timeout` seconds."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def log(self, tail=4000):
        return self.log_path.read_text(errors="replace")[-tail:]


@contextmanager
def use_broker(url):
    """Point this process's Celery app at `url` (a test's Redis), as a web process configured for it would be."""
    from clinic.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = url
    app.conf.broker_transport_options = {
        "socket_timeout": 2,
        "socket_connect_timeout": 2,
        "max_retries": 1,
        "retry_on_timeout": False,
    }
    _forget_connections(app)
    try:
        yield
    finally:
        _forget_connections(app)
        app.conf.broker_url, app.conf.broker_transport_options = saved


def _forget_connections(app):
    # Celery caches its broker connections (in kombu's global pools, keyed by URL); close and
    # forget them, as Celery does after a fork, so the next publish uses the broker now configured.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def wait_until(condition, *, timeout, every=0.2, between=None):
    """Poll `condition` (running `between` before each poll) until true; bounded by count and deadline."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / every) + 1):
        if between:
            between()
        if condition():
            return True
        if time.monotonic() > deadline:
            break
        time.sleep(every)
    return False
