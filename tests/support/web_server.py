"""gunicorn serving the site on 127.0.0.1 as a subprocess, against the test's database and services."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .smtp_sink import free_port
from .worker import ROOT


@contextmanager
def gunicorn(env, log_path, *, workers=2, threads=4, timeout=60, args=()):
    """`gunicorn clinic.wsgi -w 2 --threads 4 -b 127.0.0.1:<free port>`; yields its base URL, stops it after."""
    port = free_port()
    with open(Path(log_path), "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "clinic.wsgi",
                "-w",
                str(workers),
                "--threads",
                str(threads),
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "10",
                # gunicorn 27 opens a control socket at one fixed path in $HOME: several servers on
                # one machine (parallel test runs) would take it from each other.
                "--no-control-socket",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it takes its workers too
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not _answers(base_url + "/healthz/"):
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"gunicorn not answering after {timeout} s:\n{_tail(log_path)}")
            time.sleep(0.2)
        yield base_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _answers(url):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _tail(path):
    return Path(path).read_text(errors="replace")[-3000:]
