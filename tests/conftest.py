"""Real services for the tests: PostgreSQL and Redis started here, Chromium for page tests.

When a server's binaries are installed the tests start their own private copy on a free
loopback port. Without them, tests that need it are skipped, except under CI=true, where
a missing service stops the run with a message saying what to install.
"""

import contextlib
import glob
import os
import shutil
import socket
from pathlib import Path
from urllib.parse import urlparse

import django
import django.conf
import pytest
from pytest_postgresql import factories as pg_factories
from pytest_redis import factories as redis_factories

from tests import testenv  # noqa: F401  (the test environment, set before Django loads)

django.conf.settings.INSTALLED_APPS  # noqa: B018  (load settings now, so pytest-django sets Django up)
# Apps ready before any folder's conftest loads: they may import models, whichever folder pytest is given.
django.setup()

pytest_plugins = ["tests.clinic_fixtures", "tests.staff_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
PG_CTL_WRAPPER = ROOT / "tests" / "support" / "pg_ctl_as_postgres"
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

HAVE_POSTGRES = bool(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) or bool(os.environ.get("PG_CTL_REAL"))
REDIS_SERVER = shutil.which("redis-server")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")

SERVICES = {
    "postgres": (HAVE_POSTGRES, "postgresql (apt-get install postgresql)"),
    "redis": (bool(REDIS_SERVER), "redis-server (apt-get install redis-server)"),
    "browser": (bool(CHROMIUM), "chromium (apt-get install chromium)"),
    "html_checker": (
        bool(shutil.which("java")),
        "a Java runtime for the HTML checker (apt-get install default-jre-headless)",
    ),
}

postgresql_proc = pg_factories.postgresql_proc(executable=str(PG_CTL_WRAPPER), port=None)
redis_proc = redis_factories.redis_proc(executable=REDIS_SERVER, port=None)


def pytest_configure(config):
    missing = [hint for available, hint in SERVICES.values() if not available]
    if CI and missing:
        raise pytest.UsageError("CI=true but these are not installed: " + ", ".join(missing) + ". Run .ci/run.")


def pytest_collection_modifyitems(config, items):
    for item in items:
        # Every transactional test gets the migrated data back afterwards (pages, roles, content types).
        # One without it is flushed with post_migrate, which re-creates content types and permissions
        # under new ids, and the next test that restores the snapshot collides with them.
        db = item.get_closest_marker("django_db")
        if db and db.kwargs.get("transaction") and "serialized_rollback" not in db.kwargs:
            item.add_marker(pytest.mark.django_db(**db.kwargs, serialized_rollback=True), append=False)
        for marker, (available, hint) in SERVICES.items():
            if marker in item.keywords and not available:
                item.add_marker(pytest.mark.skip(reason=f"needs {hint}"))


@pytest.fixture(scope="session", autouse=True)
def collected_static_files():
    """Pages are rendered as in production: hashed, compressed static files served by whitenoise."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    # live_server would serve /static/ itself from the unhashed source files; leave it to
    # whitenoise, as in production.
    StaticFilesHandler._should_handle = lambda self, path: False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Sign the content off, then keep serialized_rollback working in browser tests, whichever test set up the database.

    The migrations load pages and aftercare steps awaiting clinical review, which the publishing
    gate keeps from the public; the tests' database has them signed off by a test clinician
    (tests/review_fixtures.py), and the snapshot transactional tests restore is taken again with it.

    Once Playwright's sync API has started, an asyncio loop counts as running in the test
    thread, and Django's `connections` (an asgiref Local) switches from thread-local to
    context-local storage: tests get a new connection object. Django keeps the snapshot that
    serialized_rollback restores on the connection object that created the test database, so
    when a non-browser test created it first, browser tests found no snapshot and their first
    flush wiped the pages the migrations load. Keep the snapshot on the class instead.
    """
    from django.db import connections

    from tests.review_fixtures import sign_off_all_content

    with django_db_blocker.unblock():
        sign_off_all_content()
        for alias in connections:
            connection = connections[alias]
            if getattr(connection, "_test_serialized_contents", None) is not None:
                connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    patched = []
    for alias in connections:
        connection = connections[alias]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
            patched.append(type(connection))
    yield
    for cls in patched:
        with contextlib.suppress(AttributeError):
            del cls._test_serialized_contents


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request):
    """Point Django at the tests' own PostgreSQL whenever it is installed."""
    if not HAVE_POSTGRES:
        return
    proc = request.getfixturevalue("postgresql_proc")
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    database.clear()
    database.update(
        ENGINE="django.db.backends.postgresql",
        NAME="clinic",
        USER=proc.user,
        PASSWORD=proc.password or "",
        HOST=proc.host,
        PORT=str(proc.port),
        TEST={"NAME": "test_clinic"},
    )
    connections.configure_settings(settings.DATABASES)
    # A connection object made before this point would still be the SQLite one.
    with contextlib.suppress(AttributeError):
        del connections["default"]


@pytest.fixture(autouse=True)
def broker_not_paused(monkeypatch):
    """Each test starts with this process willing to publish: an earlier test's dead broker must not linger."""
    from clinic.mail import outbox

    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Every test starts with an empty cache: page fragments and the per-minute link-rate counts."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """MD5 hashes in tests, except where hashing is what is tested (marker `argon2`): Argon2 costs ~0.5 s a user."""
    if not request.node.get_closest_marker("argon2"):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def on_postgres():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    return connection


def _is_loopback(host):
    if not host:
        return True
    try:
        return all(info[4][0] in {"127.0.0.1", "::1"} for info in socket.getaddrinfo(host, None))
    except socket.gaierror:
        return False


@pytest.fixture(autouse=True)
def loopback_only(request, settings):
    """Fault and server tests may only ever reach this machine (RELIABILITY.md, Harness)."""
    if not any(request.node.get_closest_marker(m) for m in ("postgres", "redis", "chaos", "load")):
        return
    hosts = [db.get("HOST") for db in settings.DATABASES.values()]
    hosts.append(settings.EMAIL_HOST)
    broker = settings.CELERY_BROKER_URL
    if "://" in broker and not broker.startswith("filesystem"):
        hosts.append(urlparse(broker).hostname)
    for host in hosts:
        assert _is_loopback(host), f"refusing to run against a non-loopback host: {host!r}"


@pytest.fixture
def plain_http_cookies(settings):
    """live_server speaks plain http: let session and CSRF cookies travel over it."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_NAME = "sessionid"
    settings.CSRF_COOKIE_NAME = "csrftoken"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives the system Chromium; it never downloads a browser."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
