"""A private PostgreSQL for the benchmarks, started like the tests' (pytest-postgresql's executor, same wrapper)."""

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
from pytest_postgresql.executors.proc import PostgreSQLExecutor

ROOT = Path(__file__).resolve().parent.parent
PG_CTL = ROOT / "tests" / "support" / "pg_ctl_as_postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres(folder: Path) -> Iterator[PostgreSQLExecutor]:
    """Start a throwaway server under `folder` (durability off: a benchmark's data is disposable); stop it after."""
    port = _free_port()
    folder.mkdir(parents=True, exist_ok=True)
    proc = PostgreSQLExecutor(
        executable=str(PG_CTL),
        host="127.0.0.1",
        port=port,
        datadir=str(folder / f"data-{port}"),
        unixsocketdir=str(folder),
        logfile=str(folder / "postgresql.log"),
        startparams="-w",
        dbname="bench",
        postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    )
    proc.start()
    proc.wait_for_postgres()
    try:
        yield proc
    finally:
        proc.stop()


def admin(proc: PostgreSQLExecutor, sql: str) -> None:
    with psycopg.connect(host=proc.host, port=proc.port, user=proc.user, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql)


def url(proc: PostgreSQLExecutor, dbname: str) -> str:
    return f"postgres://{proc.user}@{proc.host}:{proc.port}/{dbname}"
