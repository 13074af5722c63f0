"""Test-only Celery tasks for the ETA negative controls (G12, G13); never part of the clinic package.

A worker loads them with `--include tests.support.eta_tasks`. With ETA_TEST_RESTORE_EVERY=N
(seconds) the worker also looks for unacknowledged messages past the visibility timeout every
N seconds. kombu's default is every 10 s and only every 10th look scans Redis (about 100 s):
in production, where an aftercare ETA would be days away, that makes no difference; here it
squeezes minutes into seconds.
"""

import os

from clinic.celery import app

_restore_every = os.environ.get("ETA_TEST_RESTORE_EVERY")
if _restore_every:
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "unacked_restore_interval": int(_restore_every),
        "unacked_restore_throttle": 1,
    }


@app.task(name="tests.support.eta_tasks.count_run", ignore_result=True)
def count_run(path):
    """Record one run: a line in `path` (O_APPEND, so runs in any process add up)."""
    with open(path, "a") as runs:
        runs.write(f"{os.getpid()}\n")


@app.task(name="tests.support.eta_tasks.noop", ignore_result=True)
def noop(n):
    """A task that does nothing, for holding many ETA messages in a worker."""
    return None
