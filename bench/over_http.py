"""The floors, content pages and time picker over HTTP: gunicorn as production runs it, one kept-alive connection.

gunicorn is started with the site's config (`-c python:clinic.gunicorn_conf`: 2 workers, 4 threads
each, so the gthread worker, which keeps connections alive) by the tests' helper, against the
shape's database and the bench settings. The bench process sends each request itself over one
HTTP/1.1 connection (http.client) and times it by the wall clock, request sent to body read: what
a visitor's browser on the same machine would wait, network stack and gunicorn included. After
3 warm-up requests each, the figures are timed in rounds, each request once per round in turn.

(Named over_http, not http or gunicorn: run.py's folder is first on sys.path and would shadow those.)
"""

import http.client
import os
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from clinic import gunicorn_conf
from tests.support.web_server import gunicorn

from .pages import CONTENT, PICKER, picker_cases, picker_choice, static_path
from .timing import summary

WARMUP = 3
# As the TLS proxy in front of production says (BEHIND_TLS_PROXY): the requests are secure ones.
HEADERS = {"X-Forwarded-Proto": "https"}
# Production's workers and threads (the helper passes them on the command line, which wins over -c).
WORKERS, THREADS = gunicorn_conf.workers, gunicorn_conf.threads
SERVER = (
    f"gunicorn -c python:clinic.gunicorn_conf -w {WORKERS} --threads {THREADS} (gthread), "
    "one kept-alive HTTP/1.1 connection, every request below timed once per round in turn"
)


def cookies_set(set_cookie_headers: list[str]) -> dict[str, str | None]:
    """What each Set-Cookie header does to a cookie jar: name → new value, or None to drop it (Max-Age=0)."""
    changes: dict[str, str | None] = {}
    for header in set_cookie_headers:
        for name, morsel in SimpleCookie(header).items():
            changes[name] = None if morsel["max-age"] == "0" else morsel.value
    return changes


@dataclass
class Case:
    """One figure: what to GET, as whom (the cookies of a visitor), and the status it must answer."""

    name: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    jar: dict[str, str] = field(default_factory=dict)
    expect: int = 200


class Connection:
    """One HTTP/1.1 connection, kept alive between requests; each request carries its visitor's cookie jar."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.opened = 0  # TCP connections opened so far

    def get(self, path: str, query=None, headers=None, *, jar: dict[str, str]):
        """(status, headers) of GET `path`, body read, `jar` updated; reconnects once if the server had closed."""
        url = path + ("?" + urlencode(query) if query else "")
        sent = {**HEADERS, **(headers or {})}
        if jar:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())
        for attempt in (1, 2):
            if self.connection.sock is None:
                self.opened += 1
            try:
                self.connection.request("GET", url, headers=sent)
                response = self.connection.getresponse()
                response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if attempt == 2:
                    raise
        for name, value in cookies_set(response.headers.get_all("Set-Cookie") or []).items():
            if value is None:
                jar.pop(name, None)
            else:
                jar[name] = value
        return response.status, response.headers

    def close(self):
        self.connection.close()


def measure(connection: Connection, cases: list[Case], *, repeat: int) -> dict:
    """`WARMUP` requests of each case (status checked), then `repeat` rounds timing each case once in turn.

    Taking the cases in turn, not one case's requests in a block, gives every figure the same share
    of whatever else the machine is doing, so the ratios between them move less than the times.
    """
    for case in cases:
        for _ in range(WARMUP):
            status, _ = connection.get(case.path, case.query, case.headers, jar=case.jar)
            assert status == case.expect, (case.name, status)
    samples: dict[str, list[float]] = {case.name: [] for case in cases}
    opened = {case.name: 0 for case in cases}
    for _ in range(repeat):
        for case in cases:
            before = connection.opened
            start = time.perf_counter()
            connection.get(case.path, case.query, case.headers, jar=case.jar)
            samples[case.name].append((time.perf_counter() - start) * 1000)
            opened[case.name] += connection.opened - before
    return {name: {**summary(times), "connections": opened[name]} for name, times in samples.items()}


def cases(connection: Connection) -> list[Case]:
    """The floors; the content pages as anonymous visitors (and a repeat visit); the picker in booking sessions."""
    found = [Case("trivial view", "/bench/trivial/"), Case("static file", static_path())]
    found += [Case(f"GET {path}", path) for path in CONTENT]
    # A repeat visit: the browser sends the page's ETag back and gets a 304 with no body.
    _, headers = connection.get("/milia/", jar={})
    if headers.get("ETag"):
        found.append(
            Case("GET /milia/ (repeat visit, 304)", "/milia/", headers={"If-None-Match": headers["ETag"]}, expect=304)
        )
    for name, who, query in picker_cases():
        jar: dict[str, str] = {}  # a visitor of their own, with a booking session, on the same connection
        status, _ = connection.get("/book/", picker_choice(who), jar=jar)
        assert status == 302 and settings.SESSION_COOKIE_NAME in jar, (status, jar.keys())
        found.append(Case(name, PICKER, query, jar=jar))
    return found


def pages(base_url: str, repeat: int) -> dict:
    """Every figure over one kept-alive connection."""
    connection = Connection(base_url)
    try:
        return measure(connection, cases(connection), repeat=repeat)
    finally:
        connection.close()


def run(*, db_url: str, repeat: int, log: Path) -> dict:
    """Start gunicorn on the shape's database with the bench's settings (run.py's environment), measure, stop it."""
    env = {**os.environ, "DATABASE_URL": db_url}
    config = ["-c", "python:clinic.gunicorn_conf"]
    with gunicorn(env, log, workers=WORKERS, threads=THREADS, args=config) as base_url:
        return pages(base_url, repeat)
