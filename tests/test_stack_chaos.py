"""J4 and J6 (RELIABILITY.md) against the production-like stack: gunicorn over TLS, PostgreSQL, Redis, worker, beat.

The stack is started once for this module (its own PostgreSQL, not the tests' database) by
tests/support/stack.py; the traffic and the checks are the attack run's (tests/attack), so
`make attack` and these tests test the same thing. Loopback only; every wait is bounded.
"""

import shutil

import pytest

from tests.support.stack import PG_BIN, REDIS_SERVER, Stack

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.timeout(420),
    pytest.mark.skipif(not (PG_BIN / "initdb").exists(), reason="needs PostgreSQL 15 (apt-get install postgresql)"),
    pytest.mark.skipif(not shutil.which(REDIS_SERVER), reason="needs redis-server (apt-get install redis-server)"),
]


@pytest.fixture(scope="module")
def attack_run(tmp_path_factory):
    """A running stack with the canary patient set up: booked, treated, emailed, worried."""
    from tests.attack import attacks
    from tests.attack.flows import Site

    with Stack(tmp_path_factory.mktemp("stack")) as stack:
        site = Site(stack, token_rate=100)
        run = attacks.Run(stack=stack, site=site)
        attacks.setup(run, staff=[("reception", "Reception"), ("clinician", "Clinician")])
        yield run


def test_J4_no_token_or_pii_canary_in_any_log(attack_run):
    """Every kind of patient link followed, staff searches by name, email and phone, a forced 500, mail sent."""
    from tests.attack import attacks

    attacks.j4_traffic(attack_run)
    assert attack_run.site.tokens, "no patient-link token was seen in an email"
    assert {"manage", "aftercare", "email/unsubscribe"} <= set(attack_run.site.tokens.values())
    finding = attacks.j4_logs(attack_run)
    assert finding.held, finding.reason


def test_J6_redis_hung_then_stopped_pages_still_answer(attack_run):
    """SIGSTOP, then shutdown: content and token pages answer 200 within 2 s; caching resumes after."""
    from tests.attack import attacks

    finding = attacks.j6_redis(attack_run)
    assert finding.held, finding.reason
    assert attack_run.stack.redis_ping()
