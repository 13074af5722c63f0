"""Staff sign-ins for admin tests (a pytest plugin): 2FA is required in the tests, as in production."""

import pytest
from django.test import Client


def sign_in(client, user):
    """Log `user` in on `client` as if with password and a one-time code (a confirmed TOTP device, verified)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Phone", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def make_staff(django_user_model, username, *, role=None, perms=()):
    from django.contrib.auth.models import Group, Permission

    user = django_user_model.objects.create_user(username, password="a-long-enough-password", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if perms:
        user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return user


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin_client, signed in with a verified one-time code."""
    return sign_in(Client(), admin_user)


@pytest.fixture
def staff_client(db, django_user_model):
    """staff_client("Reception") → a signed-in client whose `.user` holds that role."""
    made = iter(range(1000))

    def make(role=None, *, perms=()):
        user = make_staff(django_user_model, f"staff{next(made)}", role=role, perms=perms)
        client = sign_in(Client(), user)
        client.user = user
        return client

    return make
