"""Crash and restart the tests' own PostgreSQL (pytest-postgresql's `postgresql_proc`) the way G10 asks.

The server is the whole session's: whatever happens in a test, `running_again` must leave it
accepting connections, started exactly as pytest-postgresql started it (same data directory,
port, socket directory and log), so later tests and the session's own shutdown find it as before.
"""

import shlex
import subprocess
import time

import psycopg


def stop_immediately(proc, *, log):
    """`pg_ctl stop -m immediate`: every backend killed at once, no checkpoint; crash recovery on the next start."""
    with open(log, "ab") as out:
        subprocess.run(
            [proc.executable, "stop", "-D", proc.datadir, "-m", "immediate"],
            env=proc.envvars,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=60,
        )


def start(proc, *, log, timeout=60):
    """Start it again with pytest-postgresql's own command (`pg_ctl start -w …`); wait until it accepts connections."""
    # Output to a file, not a pipe: the server pg_ctl leaves behind must not hold our pipe open.
    with open(log, "ab") as out:
        subprocess.run(
            shlex.split(proc.command),
            env=proc.envvars,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=timeout,
        )
    if not wait_accepting(proc, timeout=timeout):
        raise TimeoutError(f"PostgreSQL not accepting connections {timeout} s after a restart")


def accepts_connections(proc):
    try:
        with psycopg.connect(
            host=proc.host, port=proc.port, user=proc.user, password=proc.password, dbname="postgres", connect_timeout=2
        ) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def wait_accepting(proc, *, timeout):
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / 0.2) + 1):
        if accepts_connections(proc):
            return True
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return False


def running_again(proc, *, log):
    """Make sure the server is up (start it if a test left it stopped); for a fixture's teardown."""
    if not accepts_connections(proc) and not proc.running():
        start(proc, log=log)
    if not wait_accepting(proc, timeout=60):
        raise TimeoutError("PostgreSQL is not accepting connections")
