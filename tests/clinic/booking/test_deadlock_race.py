"""F1b: two bookings that deadlock on the exclusion constraint: the one PostgreSQL aborts lost a race (409), not a 500.

PostgreSQL checks an exclusion constraint after inserting the row, so two transactions that each
inserted an overlapping appointment can wait for each other; the deadlock detector then aborts
one (SQLSTATE 40P01). The load run (I1) met it once in 590 confirmations. Here it is made on
purpose: another transaction holds an uncommitted appointment at 10:15, our booking of 10:00 waits
for it, and that transaction then books 09:30, which overlaps ours: each waits for the other.
"""

import contextlib
import threading
import time

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction

from clinic.booking.services import SlotUnavailable
from clinic.lib.races import lost_race
from clinic.models import Appointment
from tests.clinic_fixtures import TUESDAY, at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def someone_waits_for_a_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def test_F1b_a_deadlock_between_two_overlapping_bookings_is_a_lost_race_for_one_of_them(on_postgres, book, dr_shah):
    holding = threading.Event()
    problems = []  # anything but a lost race, in the other transaction

    def other_transaction():
        try:
            with transaction.atomic():
                book(at(TUESDAY, 10, 15), dr_shah)
                holding.set()
                for _ in range(250):  # until our booking waits for this transaction's row (at most 5 s)
                    if someone_waits_for_a_lock():
                        break
                    time.sleep(0.02)
                # Overlaps 10:00, not 10:15: waits for our booking. Should PostgreSQL choose this one to
                # give way, that is also a lost race, told as one.
                with contextlib.suppress(SlotUnavailable):
                    book(at(TUESDAY, 9, 30), dr_shah)
        except Exception as error:  # noqa: BLE001 (reported below)
            problems.append(repr(error))
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=other_transaction)
    thread.start()
    assert holding.wait(timeout=10)
    with pytest.raises(SlotUnavailable):
        book(at(TUESDAY, 10), dr_shah)
    thread.join(timeout=30)
    assert problems == []
    starts = sorted(a.starts_at for a in Appointment.objects.active().filter(practitioner=dr_shah))
    assert at(TUESDAY, 10) not in starts and at(TUESDAY, 10, 15) in starts


def test_lost_race_knows_a_real_deadlock_from_other_database_errors(on_postgres):
    """Two connections lock two rows in opposite orders: PostgreSQL's own 40P01, seen as a lost race."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS race_probe (id int PRIMARY KEY)")
        cursor.execute("INSERT INTO race_probe VALUES (1), (2) ON CONFLICT DO NOTHING")
    first_locked, errors = threading.Event(), []

    def lock(first, second, signal=None, wait=None):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM race_probe WHERE id = %s FOR UPDATE", [first])
                if signal:
                    signal.set()
                if wait:
                    wait.wait(timeout=10)
                time.sleep(0.2)
                cursor.execute("SELECT 1 FROM race_probe WHERE id = %s FOR UPDATE", [second])
        except OperationalError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=lock, args=(1, 2, first_locked)),
        threading.Thread(target=lock, args=(2, 1, None, first_locked)),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE race_probe")
    assert len(errors) == 1 and lost_race(errors[0])
    assert lost_race(IntegrityError("a constraint refused the row"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1")
        with pytest.raises(OperationalError) as other:
            cursor.execute("SELECT pg_sleep(1)")
    assert not lost_race(other.value)  # a timeout is a real failure, not a race
