"""A production-like stack on 127.0.0.1 for the attack run (`make attack`) and the chaos tests.

    with Stack() as stack:                 # or Stack(run_dir=...), stack.start() ... stack.stop()
        stack.base_url                     # https://127.0.0.1:<port>, gunicorn serving TLS itself
        stack.create_staff_user("ana", "Reception").code()   # a fresh TOTP code for her
        stack.sink.wait_for(lambda m: ..., timeout=20)         # every email the site sent
        stack.redis_hang(); stack.redis_resume(); stack.redis_stop(); stack.redis_start()

What runs, each on a free loopback port, each writing to files in one run folder:

- PostgreSQL 15: a private cluster (initdb + pg_ctl; as root both run as the `postgres` user,
  TOOLCHAIN.md), a non-superuser `clinic` owning the database, as in docker-compose.yml.
- redis-server: volatile (`--save ''`, no AOF), daemonized with a pidfile; broker on db 0, cache
  (CACHE_URL) on db 1, as in docker-compose.yml.
- An SMTP sink (aiosmtpd, in this process) that records every message and saves it as .eml.
- `manage.py migrate` and `collectstatic`, the demo schedule (practitioners, consultation types).
- gunicorn `-w 2 --threads 4` with DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS and SITE_URL
  pointing at the stack. It serves HTTPS itself with a throwaway self-signed certificate (made
  with the openssl CLI): with DEBUG off the site's cookies are `Secure` and `__Host-`, and
  SECURE_SSL_REDIRECT is on, so plain HTTP would need settings changed or a client that ignores
  cookie rules; over TLS every setting stays as in production and clients behave like browsers.
  With `clinic/gunicorn_conf.py` present it runs with `-c python:clinic.gunicorn_conf`.
- A Celery worker (`-c 2`) and beat.

Every process runs in its own process group and is stopped at the end (SIGTERM, then SIGKILL),
also when start-up fails half-way. Every wait is bounded by a count and a deadline.
"""

import base64
import concurrent.futures
import contextlib
import email
import email.policy
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
LOOPBACK = "127.0.0.1"
# A second loopback address: the stack trusts it as "the proxy" (TRUSTED_PROXIES), so an attack can
# send requests as a trusted proxy would (its X-Forwarded-For counts) and as a client that forges one.
PROXY_ADDRESS = "127.0.0.2"
DB_NAME = DB_USER = "clinic"
DB_PASSWORD = "clinic-stack"  # noqa: S105 (a throwaway loopback database)


class StackError(RuntimeError):
    """The stack could not start (or a command in it failed); the message says which part and why."""


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_until(condition, *, timeout, every=0.1, what="condition"):
    """Poll `condition` until it returns something truthy; bounded by count and deadline."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / every) + 2):
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            break
        time.sleep(every)
    raise TimeoutError(f"{what}: not after {timeout} s")


# --- TOTP (RFC 6238), to sign in as staff ---------------------------------------------------


def hotp(secret_b32, counter, digits=6):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


@dataclass
class StaffUser:
    """A staff login made by `manage.py create_staff_user`: its one-time password and TOTP secret.

    `code()` gives the next code the server will accept, mirroring django-otp's TOTPDevice (30 s
    steps, tolerance 1, a code is accepted once, drift follows the last accepted code); call
    `accepted(code)` after a sign-in with it succeeded.
    """

    username: str
    role: str
    password: str
    secret: str
    step: int = 30
    last_t: int = -1
    drift: int = 0
    _pending: dict = field(default_factory=dict, repr=False)

    def code(self, *, max_wait=35.0):
        deadline = time.monotonic() + max_wait
        for _ in range(100):
            now = time.time()
            if now % self.step > self.step - 1.5:  # too close to the next step: the server may see another t
                time.sleep(self.step - now % self.step + 0.1)
                continue
            t = int(now // self.step)
            counter = max(t + self.drift, self.last_t + 1)
            if counter <= t + self.drift + 1:
                code = hotp(self.secret, counter)
                self._pending[code] = (counter, t)
                return code
            if time.monotonic() > deadline:
                break
            time.sleep(self.step - now % self.step + 0.1)
        raise TimeoutError(f"no usable TOTP code for {self.username} within {max_wait} s")

    def accepted(self, code):
        counter, t = self._pending.pop(code)
        self.last_t = counter
        self.drift = counter - t

    def wrong_code(self):
        """Six digits that match no counter the server would try now."""
        t = int(time.time() // self.step)
        near = {hotp(self.secret, c) for c in range(t + self.drift - 3, t + self.drift + 4)}
        for _ in range(100):
            candidate = f"{secrets.randbelow(10**6):06d}"
            if candidate not in near:
                return candidate
        raise RuntimeError("no wrong code found")  # pragma: no cover


# --- The SMTP sink ------------------------------------------------------------------------------


@dataclass
class Mail:
    rcpt_tos: list
    content: bytes
    at: float

    @property
    def message(self):
        return email.message_from_bytes(self.content, policy=email.policy.default)

    @property
    def subject(self):
        return str(self.message["Subject"] or "")

    @property
    def message_id(self):
        return str(self.message["Message-ID"] or "")

    def text(self):
        """Every text part (plain and HTML), decoded, joined."""
        parts = []
        for part in self.message.walk():
            if part.get_content_maintype() == "text":
                with contextlib.suppress(Exception):
                    parts.append(part.get_content())
        return "\n".join(parts)

    def links(self, base_url):
        """Every link to the site in the message (its parts and its headers), in order, without duplicates."""
        found = []
        headers = "\n".join(f"{k}: {v}" for k, v in self.message.items())
        for match in re.finditer(re.escape(base_url) + r"(/[^\s\"'<>]*)", self.text() + "\n" + headers):
            path = match.group(1).rstrip(".,;)")
            if path not in found:
                found.append(path)
        return found


class _RecordingHandler:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        with self.lock:
            self.messages.append(Mail(list(envelope.rcpt_tos), content, time.monotonic()))
            number = len(self.messages)
        (self.folder / f"{number:04d}.eml").write_bytes(content)
        return "250 OK"


class Sink:
    """aiosmtpd on a free loopback port, in this process; `messages` is every message it accepted."""

    def __init__(self, folder):
        from aiosmtpd.controller import Controller

        Path(folder).mkdir(parents=True, exist_ok=True)
        self.handler = _RecordingHandler(folder)
        self.port = free_port()
        # server_hostname: without it aiosmtpd looks up this machine's name for every connection.
        self.controller = Controller(self.handler, hostname=LOOPBACK, port=self.port, server_hostname="localhost")

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        with contextlib.suppress(Exception):
            self.controller.stop()

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def to(self, address):
        return [m for m in self.messages if any(r.lower() == address.lower() for r in m.rcpt_tos)]

    def wait_for(self, predicate, *, timeout=30, count=1):
        """The first `count` messages matching `predicate`, waiting up to `timeout` s (TimeoutError after)."""
        return wait_until(
            lambda: (found := [m for m in self.messages if predicate(m)]) and len(found) >= count and found[:count],
            timeout=timeout,
            every=0.2,
            what="an email at the sink",
        )


# --- The stack ----------------------------------------------------------------------------------


class Stack:
    """Start with `start()` (or `with Stack() as stack:`), stop with `stop()`; see the module docstring."""

    def __init__(self, run_dir=None, *, env=None, log=None, gunicorn_workers=2, gunicorn_threads=4):
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.run_dir = Path(run_dir or ROOT / "var" / "stack-runs" / f"{stamp}-{os.getpid()}").resolve()
        self.logs = self.run_dir / "logs"
        self.extra_env = dict(env or {})
        self.gunicorn_workers = gunicorn_workers
        self.gunicorn_threads = gunicorn_threads
        self._log_stream = log
        self.processes = {}  # name -> Popen (own process group)
        self.sink = None
        self.pg_dir = None
        self.pg_port = self.redis_port = self.web_port = None
        self.redis_pid = None
        self.timings = {}
        self._started = False

    # --- start and stop ---

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        self._started = True
        try:
            self._timed("certificate", self._make_certificate)
            self._timed("postgresql", self._start_postgres)
            self._timed("redis", self.redis_start)
            self._timed("smtp sink", self._start_sink)
            self.env = self._app_env()
            # Independent steps run side by side: migrate beside collectstatic, the three servers together.
            self._parallel(
                ("migrate", lambda: self.manage("migrate", "--noinput", timeout=240)),
                ("collectstatic", lambda: self.manage("collectstatic", "--noinput", timeout=240)),
            )
            # The content signed off by a test clinician (DEBUG is off: unreviewed pages would be 404s).
            setup = "from clinic.demo import load_demo_schedule; load_demo_schedule(); " + (
                "from tests.review_fixtures import sign_off_all_content; sign_off_all_content()"
            )
            self._timed("demo schedule", lambda: self.manage("shell", "-c", setup))
            self._parallel(
                ("gunicorn", self._start_gunicorn), ("worker", self._start_worker), ("beat", self._start_beat)
            )
        except BaseException:
            self.stop()
            raise
        self.say(f"stack up at {self.base_url} ({self.run_dir})")
        return self

    def stop(self):
        """Stop everything this stack started, in reverse order; safe to call twice and after a failed start."""
        if not self._started:
            return
        self._started = False
        for name in ("gunicorn", "beat", "worker"):
            self._stop_process(name)
        for name in list(self.processes):
            self._stop_process(name)
        with contextlib.suppress(Exception):
            self._stop_redis()
        with contextlib.suppress(Exception):
            self._stop_postgres()
        if self.sink:
            self.sink.stop()
        if self.pg_dir and self.pg_dir.exists():
            with contextlib.suppress(OSError):
                shutil.copy(self.pg_log, self.logs / "postgresql.log")
            shutil.rmtree(self.pg_dir, ignore_errors=True)
        # Collected static files are 8 MB of copies: the logs, mail and report are what a run keeps.
        shutil.rmtree(self.run_dir / "static", ignore_errors=True)
        self.say("stack stopped")

    # --- helpers ---

    def say(self, text):
        line = f"{time.strftime('%H:%M:%S')} {text}"
        with open(self.run_dir / "stack.log", "a") as f:
            f.write(line + "\n")
        if self._log_stream:
            print(line, file=self._log_stream, flush=True)

    def _timed(self, what, fn):
        start = time.monotonic()
        result = fn()
        self.timings[what] = round(time.monotonic() - start, 2)
        self.say(f"{what}: ready in {self.timings[what]} s")
        return result

    def _parallel(self, *steps):
        """Run (name, fn) steps in threads; wait for all; raise the first failure."""
        with concurrent.futures.ThreadPoolExecutor(len(steps)) as pool:
            futures = [pool.submit(self._timed, name, fn) for name, fn in steps]
            errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            raise errors[0]

    def _run(self, args, *, timeout=60, env=None, as_postgres=False, check=True, log_name=None):
        if as_postgres and os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--", *map(str, args)]
        out = subprocess.run(
            [str(a) for a in args],
            cwd=ROOT if not as_postgres else "/",
            env=env or self._base_env(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if log_name:
            with open(self.logs / log_name, "ab") as f:
                f.write(b"$ " + " ".join(map(str, args)).encode() + b"\n" + out.stdout + out.stderr)
        if check and out.returncode != 0:
            command = " ".join(map(str, args[:6]))
            raise StackError(f"{command} failed ({out.returncode}):\n{out.stderr.decode()[-3000:]}")
        return out

    @staticmethod
    def _base_env():
        """Only the basics from our own environment: no setting of the caller's (a test's) leaks in."""
        keep = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "TMPDIR", "VIRTUAL_ENV", "TZ")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env["LC_ALL"] = "C.UTF-8"
        return env

    # --- TLS ---

    def _make_certificate(self):
        tls = self.run_dir / "tls"
        tls.mkdir(exist_ok=True)
        self.certfile, self.keyfile = tls / "cert.pem", tls / "key.pem"
        self._run(
            [
                OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", self.keyfile, "-out", self.certfile, "-days", "2", "-subj", f"/CN={LOOPBACK}",
                "-addext", f"subjectAltName=IP:{LOOPBACK}",
            ],
            timeout=30,
        )  # fmt: skip
        self.keyfile.chmod(0o600)

    def ssl_context(self):
        """A client context that trusts only the stack's certificate (and checks the address in it)."""
        context = ssl.create_default_context(cafile=str(self.certfile))
        return context

    # --- PostgreSQL ---

    def _start_postgres(self):
        if not (PG_BIN / "initdb").exists():
            raise StackError(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql)")
        root = os.geteuid() == 0
        self.pg_dir = Path(tempfile.mkdtemp(prefix="clinic-stack-pg-"))
        self.pg_data = self.pg_dir / "data"
        # The server's log stays beside its data (owned by postgres, wherever the run folder is);
        # log_files() includes it and stop() copies it into the run folder.
        self.pg_log = self.pg_dir / "postgresql.log"
        if root:
            shutil.chown(self.pg_dir, "postgres")
        self._run(
            [PG_BIN / "initdb", "-D", self.pg_data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
            as_postgres=True,
            timeout=120,
            log_name="initdb.log",
        )
        self.pg_port = free_port()
        self.pg_start()
        import psycopg

        with psycopg.connect(self._pg_dsn("postgres", "postgres"), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{DB_PASSWORD}'")
            conn.execute(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")

    def _pg_dsn(self, dbname=DB_NAME, user=DB_USER):
        return f"host={LOOPBACK} port={self.pg_port} dbname={dbname} user={user} password={DB_PASSWORD}"

    def pg_start(self, timeout=60):
        options = f"-c listen_addresses={LOOPBACK} -p {self.pg_port} -k {self.pg_dir}"
        self._run(
            [PG_BIN / "pg_ctl", "-D", self.pg_data, "-l", self.pg_log, "-w", "-t", timeout, "-o", options, "start"],
            as_postgres=True,
            timeout=timeout + 10,
        )

    def pg_stop(self, mode="fast", timeout=60):
        self._run(
            [PG_BIN / "pg_ctl", "-D", self.pg_data, "-m", mode, "-w", "-t", str(timeout), "stop"],
            as_postgres=True,
            timeout=timeout + 10,
        )

    def _stop_postgres(self):
        if not self.pg_dir or not (self.pg_data / "postmaster.pid").exists():
            return
        try:
            self.pg_stop("fast", timeout=30)
        except Exception:
            with contextlib.suppress(Exception):
                self.pg_stop("immediate", timeout=15)
        pidfile = self.pg_data / "postmaster.pid"
        if pidfile.exists():  # still there: kill the postmaster (its children follow)
            with contextlib.suppress(Exception):
                os.kill(int(pidfile.read_text().split()[0]), signal.SIGKILL)

    def db(self):
        """A new psycopg connection to the site's database (autocommit); close it (or use `with`)."""
        import psycopg

        return psycopg.connect(self._pg_dsn(), autocommit=True, connect_timeout=5)

    def sql(self, query, params=()):
        """Rows of one query against the site's database."""
        with self.db() as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def pg_dump(self):
        """A plain-SQL dump of the site's database (text), for grepping."""
        out = self._run(
            [PG_BIN / "pg_dump", "-h", LOOPBACK, "-p", self.pg_port, "-U", "postgres", "--no-owner", DB_NAME],
            timeout=120,
        )
        return out.stdout.decode("utf-8", "replace")

    @property
    def database_url(self):
        return f"postgres://{DB_USER}:{DB_PASSWORD}@{LOOPBACK}:{self.pg_port}/{DB_NAME}"

    # --- Redis ---

    def redis_start(self, timeout=15):
        """Start (or restart, with the same port and folder) the volatile redis-server; wait for PONG."""
        if self.redis_port is None:
            self.redis_port = free_port()
        folder = self.run_dir / "redis"
        folder.mkdir(exist_ok=True)
        self.redis_pidfile = folder / "redis.pid"
        self.redis_pidfile.unlink(missing_ok=True)
        self._run(
            [
                REDIS_SERVER, "--port", self.redis_port, "--bind", LOOPBACK, "--save", "", "--appendonly", "no",
                "--daemonize", "yes", "--pidfile", self.redis_pidfile, "--dir", folder,
                "--logfile", self.logs / "redis.log",
            ],
            timeout=timeout,
        )  # fmt: skip
        # redis-server exits 0 even when the port is taken: wait for the pidfile, then for our server's PONG.
        self.redis_pid = wait_until(self._redis_pidfile_pid, timeout=timeout, what="redis pidfile")
        wait_until(
            lambda: self.redis_ping() and self._redis_info_pid() == self.redis_pid, timeout=timeout, what="redis PONG"
        )

    def _redis_pidfile_pid(self):
        with contextlib.suppress(OSError, ValueError):
            return int(self.redis_pidfile.read_text().strip())
        return None

    def redis_cli(self, *args, timeout=5):
        return self._run([REDIS_CLI, "-h", LOOPBACK, "-p", self.redis_port, *args], timeout=timeout, check=False)

    def redis_ping(self):
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.redis_cli("ping", timeout=2).stdout.strip() == b"PONG"
        return False

    def _redis_info_pid(self):
        out = self.redis_cli("info", "server").stdout.decode()
        match = re.search(r"process_id:(\d+)", out)
        return int(match.group(1)) if match else None

    def redis_hang(self):
        """SIGSTOP redis-server: connections stay open, nothing answers."""
        os.kill(self.redis_pid, signal.SIGSTOP)

    def redis_resume(self):
        os.kill(self.redis_pid, signal.SIGCONT)

    def redis_stop(self, timeout=10):
        """A clean stop (`shutdown nosave`): connections are refused until redis_start()."""
        self._stop_redis(timeout=timeout)

    def redis_crash(self):
        """kill -9 redis-server (no data kept: it is volatile)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.redis_pid, signal.SIGKILL)
        wait_until(lambda: not _alive(self.redis_pid), timeout=10, what="redis gone")

    def _stop_redis(self, timeout=10):
        if not self.redis_pid or not _alive(self.redis_pid):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.redis_pid, signal.SIGCONT)  # a hung server cannot shut down
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.redis_cli("shutdown", "nosave", timeout=timeout)
        try:
            wait_until(lambda: not _alive(self.redis_pid), timeout=timeout, what="redis shutdown")
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.redis_pid, signal.SIGKILL)

    def redis_keys(self, db, pattern="*", limit=10000):
        out = self.redis_cli("-n", str(db), "--scan", "--pattern", pattern, timeout=10)
        return out.stdout.decode("utf-8", "replace").split()[:limit]

    # --- SMTP ---

    def _start_sink(self):
        self.sink = Sink(self.run_dir / "mail").start()

    # --- the application ---

    @property
    def base_url(self):
        return f"https://{LOOPBACK}:{self.web_port}"

    def _app_env(self):
        if self.web_port is None:
            self.web_port = free_port()
        var = self.run_dir / "var"
        var.mkdir(exist_ok=True)
        env = self._base_env()
        env.update(
            DJANGO_SETTINGS_MODULE="clinic.settings",
            DEBUG="false",
            ENV_FILE="",  # a developer's local .env is not this stack's environment
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=LOOPBACK,
            SITE_URL=self.base_url,
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=f"redis://{LOOPBACK}:{self.redis_port}/0",
            CACHE_URL=f"redis://{LOOPBACK}:{self.redis_port}/1",
            EMAIL_HOST=LOOPBACK,
            EMAIL_PORT=str(self.sink.port),
            EMAIL_USE_TLS="false",
            EMAIL_USE_SSL="false",
            EMAIL_TIMEOUT="5",
            VAR_DIR=str(var),
            STATIC_ROOT=str(self.run_dir / "static"),
            # The "proxy" address an attack may speak from (the setting the fix adds; ignored before it).
            TRUSTED_PROXIES=PROXY_ADDRESS,
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update({k: str(v) for k, v in self.extra_env.items()})
        return env

    def manage(self, *args, timeout=120, check=True):
        """Run `manage.py ARGS` with the stack's settings; its output goes to logs/manage.log."""
        return self._run(
            [sys.executable, "manage.py", *args], env=self.env, timeout=timeout, check=check, log_name="manage.log"
        )

    def _spawn(self, name, args, *, log_name):
        log = open(self.logs / log_name, "ab")  # noqa: SIM115 (kept open by the child)
        try:
            process = subprocess.Popen(
                [str(a) for a in args],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() takes its children with it
            )
        finally:
            log.close()
        self.processes[name] = process
        return process

    @property
    def gunicorn_conf_module(self):
        return (ROOT / "clinic" / "gunicorn_conf.py").exists()

    def _start_gunicorn(self, timeout=60):
        args = [sys.executable, "-m", "gunicorn", "clinic.wsgi"]
        if self.gunicorn_conf_module:
            args += ["-c", "python:clinic.gunicorn_conf"]
        args += [
            "-b", f"{LOOPBACK}:{self.web_port}",
            "-w", str(self.gunicorn_workers),
            "--threads", str(self.gunicorn_threads),
            "--certfile", self.certfile,
            "--keyfile", self.keyfile,
            "--access-logfile", self.logs / "gunicorn-access.log",
            "--error-logfile", self.logs / "gunicorn-error.log",
            "--pid", self.run_dir / "gunicorn.pid",
        ]  # fmt: skip
        process = self._spawn("gunicorn", args, log_name="gunicorn.out.log")
        context = self.ssl_context()

        def healthy():
            if process.poll() is not None:
                raise StackError(f"gunicorn exited ({process.returncode}): see {self.logs / 'gunicorn-error.log'}")
            request = urllib.request.Request(self.base_url + "/healthz/")
            try:
                with urllib.request.urlopen(request, timeout=5, context=context) as response:  # noqa: S310
                    return response.status == 200
            except (urllib.error.URLError, OSError):
                return False

        wait_until(healthy, timeout=timeout, every=0.25, what="gunicorn /healthz/")

    def _start_worker(self, timeout=60):
        log = self.logs / "worker.log"
        start = log.stat().st_size if log.exists() else 0
        args = [
            sys.executable, "-m", "celery", "-A", "clinic", "worker", "-c", "2", "--without-gossip",
            "--without-mingle", "-l", "INFO", "-n", f"stack-{secrets.token_hex(4)}@%h",
        ]  # fmt: skip
        process = self._spawn("worker", args, log_name="worker.log")

        def ready():
            if process.poll() is not None:
                raise StackError(f"celery worker exited ({process.returncode}): see {log}")
            return b" ready." in log.read_bytes()[start:]

        wait_until(ready, timeout=timeout, every=0.2, what="celery worker ready")

    def _start_beat(self, timeout=30):
        log = self.logs / "beat.log"
        args = [
            sys.executable, "-m", "celery", "-A", "clinic", "beat", "-l", "INFO",
            "--schedule", self.run_dir / "var" / "celerybeat-schedule",
        ]  # fmt: skip
        process = self._spawn("beat", args, log_name="beat.log")

        def started():
            if process.poll() is not None:
                raise StackError(f"celery beat exited ({process.returncode}): see {log}")
            return b"beat: Starting" in log.read_bytes()

        wait_until(started, timeout=timeout, every=0.2, what="celery beat started")

    def _stop_process(self, name, timeout=15):
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        # Children left in the group (pool processes, gunicorn workers) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def restart_worker(self):
        self._stop_process("worker")
        self._start_worker()

    # --- staff ---

    def create_staff_user(self, username, role, email=""):
        """`manage.py create_staff_user NAME --role ROLE`: the login, its one-time password and TOTP secret."""
        args = ["create_staff_user", username, "--role", role] + (["--email", email] if email else [])
        out = self._run([sys.executable, "manage.py", *args], env=self.env, timeout=60)
        return _parse_staff(username, role, out.stdout.decode())

    def create_staff_users(self, wanted):
        """Several logins in one Django start: `wanted` is [(username, role), ...]; returns {username: StaffUser}."""
        script = (
            "import io, json\n"
            "from django.core.management import call_command\n"
            f"wanted = json.loads({json.dumps(json.dumps(list(wanted)))})\n"
            "out = {}\n"
            "for name, role in wanted:\n"
            "    buffer = io.StringIO()\n"
            "    call_command('create_staff_user', name, role=role, stdout=buffer)\n"
            "    out[name] = buffer.getvalue()\n"
            "print('STAFF-JSON ' + json.dumps(out))\n"
        )
        out = self._run([sys.executable, "manage.py", "shell", "-c", script], env=self.env, timeout=120)
        line = next(line for line in out.stdout.decode().splitlines() if line.startswith("STAFF-JSON "))
        made = json.loads(line.removeprefix("STAFF-JSON "))
        return {name: _parse_staff(name, role, made[name]) for name, role in wanted}

    # --- logs ---

    def log_files(self):
        """Every log file the stack's processes wrote (gunicorn, Django, Celery, PostgreSQL, Redis, commands)."""
        files = sorted(p for p in self.logs.rglob("*") if p.is_file())
        if self.pg_dir and self.pg_log.exists() and not (self.logs / "postgresql.log").exists():
            files.append(self.pg_log)
        return files

    def setting(self, name, default=None):
        return self.env.get(name, default)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A stopped-and-reaped zombie still answers kill(0): look at its state.
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        return state != "Z"
    return True


def _parse_staff(username, role, output):
    password = re.search(r"One-time password: (\S+)", output)
    secret = re.search(r"secret key: ([A-Z2-7]+)", output)
    if not (password and secret):
        raise StackError(f"create_staff_user {username}: no password or secret in its output")
    return StaffUser(username=username, role=role, password=password.group(1), secret=secret.group(1))
