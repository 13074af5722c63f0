"""Our own written queries as PostgreSQL prepared statements: parsed and planned once per connection.

The slot search's query (clinic/booking/diary.py) is a UNION of four SELECTs; PostgreSQL took
about 1 ms to plan it and a fifth of that to run it, on every search. Prepared, it is planned
once per database connection (connections live for CONN_MAX_AGE) and each search only runs it.

The first search on a connection sends `PREPARE name AS …; SET LOCAL …; EXECUTE name(…)` in one
round trip, later ones `SET LOCAL …; EXECUTE name(…)`: one query either way, so the query counts
the tests assert do not depend on which test ran first. `SET LOCAL plan_cache_mode =
force_generic_plan` makes PostgreSQL run the plan it made once: left to choose, with 200,000
appointments it judged a plan for the exact week cheaper than the general one and planned
afresh on every search (1.2 ms against 0.3 ms; the general plan reads the same start-time index).
LOCAL: the setting ends with the transaction (the implicit one of the query string, or the
caller's), so nothing else on the connection runs under it.

A prepared statement outlives a rolled-back transaction (PostgreSQL's PREPARE is not
transactional), so remembering it per connection is safe; a new connection prepares afresh.
The name is drawn from the text, so a changed query is a new statement. Other databases
(SQLite) run the query as it is. Not for a pooler in transaction mode (PgBouncer), which may
hand a session's statements to another client: the README says so.
"""

import hashlib
import itertools
import re
import weakref
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, connection

_PLACEHOLDER = re.compile(r"%s")
GENERIC_PLAN = "SET LOCAL plan_cache_mode = force_generic_plan"
INVALID_STATEMENT_NAME = "26000"  # SQLSTATE of EXECUTE for a name the server does not hold
# On each open connection (the driver's connection object: a new one starts empty), our statements:
# True once prepared, False when the server said it holds none by that name, None after any other
# failure (whether PREPARE ran is then unknown: it is not transactional, what came after it may
# have failed), which the next call settles by asking the server.
_prepared: "weakref.WeakKeyDictionary[Any, dict[str, bool | None]]" = weakref.WeakKeyDictionary()


def name_for(sql: str) -> str:
    return "clinic_" + hashlib.blake2s(sql.encode(), digest_size=8).hexdigest()


def execute(cursor: Any, sql: str, params: Sequence[Any]) -> None:
    """Run `sql` (%s placeholders) on `cursor` (a Django cursor of the default connection), prepared on PostgreSQL."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name = name_for(sql)
    run = f"{GENERIC_PLAN}; EXECUTE {name}(" + ", ".join(["%s"] * len(params)) + ")"
    known = _prepared.setdefault(connection.connection, {})
    if known.get(name, False) is None:  # after a failure: ask, once
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        known[name] = bool(cursor.fetchone()[0])
    if known.get(name):
        try:
            cursor.execute(run, params)
        except DatabaseError as error:
            # Gone from the server (a `DEALLOCATE ALL` or `DISCARD ALL` by someone else): known not
            # prepared; outside a transaction, prepare it again at once (inside one, the transaction
            # is lost anyway). Any other failure leaves it unknown.
            gone = getattr(error.__cause__, "sqlstate", None) == INVALID_STATEMENT_NAME
            known[name] = False if gone else None
            if gone and not connection.in_atomic_block:
                execute(cursor, sql, params)
                return
            raise
        cursor.nextset()  # past SET's empty result, to the rows of EXECUTE
        return
    numbers = itertools.count(1)
    try:
        cursor.execute(
            f"PREPARE {name} AS " + _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql) + "; " + run, params
        )
    except Exception:
        known[name] = None
        raise
    cursor.nextset()  # past PREPARE's and SET's empty results, to the rows of EXECUTE
    cursor.nextset()
    known[name] = True
