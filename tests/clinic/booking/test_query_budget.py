"""Probe."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.clinic.booking.flow import ANSWERS, DETAILS
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_probe(client, now, clinic_schedule, on_postgres):
    steps = [
        ("choose", lambda: client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})),
        ("times get", lambda: client.get("/book/times/", {"first": "1"})),
        ("times post", lambda: client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})),
        ("details get", lambda: client.get("/book/details/")),
        ("details post", lambda: client.post("/book/details/", DETAILS)),
        ("questions get", lambda: client.get("/book/questions/")),
        ("questions post", lambda: client.post("/book/questions/", ANSWERS)),
        ("review get", lambda: client.get("/book/review/")),
    ]
    out = []
    last = None
    for name, step in steps:
        with CaptureQueriesContext(connection) as ctx:
            last = step()
        out.append((name, last.status_code, [q["sql"][:200] for q in ctx.captured_queries]))
    key = soup(last).find("input", attrs={"name": "idempotency_key"})["value"]
    with CaptureQueriesContext(connection) as ctx:
        r = client.post("/book/review/", {"idempotency_key": key})
    out.append(("review post", r.status_code, [q["sql"][:300] for q in ctx.captured_queries]))
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/book/confirmed/")
    out.append(("confirmed", r.status_code, [q["sql"][:200] for q in ctx.captured_queries]))
    with open("/tmp/17b/probe2.txt", "w") as f:
        for name, status, qs in out:
            f.write(f"== {name} {status} {len(qs)}\n")
            for q in qs:
                f.write("   " + q + "\n")
        f.write(f"TOTAL {sum(len(q) for _, _, q in out)}\n")
