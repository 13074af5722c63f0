"""Staff screens' fixtures: a receptionist and a clinician signed in at the tests' fixed `now`."""

import pytest

from clinic.staff import roles


@pytest.fixture
def reception(staff_client, now):
    """Signed in at the fixed `now`: a session made on the real clock would have expired by then."""
    return staff_client(roles.RECEPTION)


@pytest.fixture
def clinician(staff_client, now):
    return staff_client(roles.CLINICIAN)
