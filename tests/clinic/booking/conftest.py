"""Booking tests' fixtures: an appointment booked through the service, with the token its email carried."""

import pytest

from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import manage_token


@pytest.fixture
def booked(book, dr_shah):
    """An appointment and the raw token from its confirmation email."""
    appointment = book(at(TUESDAY, 10), dr_shah)
    return appointment, manage_token(appointment)
