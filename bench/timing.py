"""Server time per request, in process: Django's test Client through the whole middleware stack."""

import statistics
import time
from collections.abc import Callable

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


def summary(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    n = len(ordered)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p10_ms": round(ordered[max(0, n // 10)], 3),
        "p90_ms": round(ordered[min(n - 1, (9 * n) // 10)], 3),
        "n": n,
    }


def measure(request: Callable[[], object], *, repeat: int, warmup: int = 3, check: Callable | None = None) -> dict:
    """Time `request()` `repeat` times after `warmup` calls; count the queries of one more call."""
    for _ in range(warmup):
        response = request()
        if check:
            check(response)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        request()
        samples.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        request()
    count = len(queries)  # read from the connection's log: before it is cleared
    reset_queries()
    return {**summary(samples), "queries": count}


def timed(request: Callable[[], object]) -> tuple[object, float, int]:
    """(response, milliseconds, queries) of one call."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = request()
        elapsed = (time.perf_counter() - start) * 1000
    count = len(queries)
    reset_queries()
    return response, elapsed, count
