"""Staff tests' fixtures: a frozen clock, and a receptionist with an authenticator app."""

import datetime

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff import roles
from tests.staff_fixtures import make_staff

START = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(django_user_model):
    """A receptionist with an authenticator app set up."""
    user = make_staff(django_user_model, "reception-desk", role=roles.RECEPTION)
    user.device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user
