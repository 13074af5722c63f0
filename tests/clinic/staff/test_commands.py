"""Setting staff up from the command line: a role, a one-time password, an authenticator app."""

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff import roles

pytestmark = pytest.mark.django_db


def test_create_staff_user_gives_a_role_a_password_and_a_working_authenticator(capsys, django_user_model):
    call_command("create_staff_user", "alex", role=roles.RECEPTION)
    out = capsys.readouterr().out
    password = out.split("One-time password: ")[1].split()[0]
    user = django_user_model.objects.get(username="alex")
    assert user.is_staff and not user.is_superuser and user.check_password(password)
    assert list(user.groups.values_list("name", flat=True)) == [roles.RECEPTION]
    device = TOTPDevice.objects.get(user=user)
    assert "secret=" in out and "otpauth://totp/" in out
    assert device.verify_token(totp(device.bin_key))


def test_a_new_authenticator_replaces_the_old_one(capsys, django_user_model):
    call_command("create_staff_user", "alex", role=roles.CLINICIAN)
    old = TOTPDevice.objects.get().key
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_staff_user", "alex", role=roles.CLINICIAN)
    call_command("create_staff_user", "alex", new_authenticator=True)
    assert TOTPDevice.objects.get().key != old


def test_the_demo_login_gets_an_authenticator_when_2fa_is_on(settings, capsys, django_user_model):
    settings.DEBUG = True
    settings.STAFF_2FA_REQUIRED = False
    call_command("load_demo")
    assert "otpauth://" not in capsys.readouterr().out
    settings.STAFF_2FA_REQUIRED = True
    call_command("load_demo")
    assert "otpauth://totp/" in capsys.readouterr().out
    assert TOTPDevice.objects.filter(user__username="demo-manager", confirmed=True).count() == 1
