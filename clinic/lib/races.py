"""Telling a lost race from a real database failure.

Two bookings of overlapping times can both insert their row before either checks the exclusion
constraint; each then waits for the other and PostgreSQL's deadlock detector aborts one
(SQLSTATE 40P01). That transaction lost a race as surely as one refused by the constraint, and
its patient should hear "that time was just taken", not see a server error.
"""

from django.db import IntegrityError, OperationalError

# deadlock_detected, serialization_failure: PostgreSQL chose this transaction to give way.
GAVE_WAY = frozenset({"40P01", "40001"})
RACE_ERRORS = (IntegrityError, OperationalError)


def lost_race(error: Exception) -> bool:
    """A constraint refused the row, or PostgreSQL aborted this transaction to let a concurrent one through."""
    if isinstance(error, IntegrityError):
        return True
    return getattr(error.__cause__, "sqlstate", None) in GAVE_WAY
