"""Staff look after their own sign-in: enrol an authenticator from a QR code, backup codes, a manager's reset."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff import roles, two_factor
from tests.helpers import soup
from tests.staff_fixtures import make_staff

pytestmark = [pytest.mark.django_db, pytest.mark.argon2]

PASSWORD = "a-long-enough-password"


def code(device, steps_ahead=0):
    device.refresh_from_db()
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead)).zfill(6)


def page_url(settings):
    return f"/{settings.ADMIN_URL}account/two-factor/"


def log_in(client, settings, username, otp, password=PASSWORD):
    data = {"username": username, "password": password, "otp_token": otp}
    return client.post(f"/{settings.ADMIN_URL}login/?next=/{settings.ADMIN_URL}", data)


def signed_in(client, settings):
    return client.get(f"/{settings.ADMIN_URL}").status_code == 200


@pytest.fixture
def member(staff_client):
    client = staff_client(roles.RECEPTION)
    client.old_device = TOTPDevice.objects.get(user=client.user)
    return client


def start_enrolment(client, settings):
    page = soup(client.get(page_url(settings), {"action": "enrol"}))
    secret = page.select_one("#totp-secret").get_text(strip=True)
    assert page.select_one("svg path")["d"].startswith("M")
    return TOTPDevice.objects.get(user=client.user, confirmed=False), secret


def test_enrolling_replaces_the_app_and_shows_ten_backup_codes_once(member, settings):
    device, secret = start_enrolment(member, settings)
    assert two_factor.secret_of(device) == secret
    response = member.post(page_url(settings), {"action": "confirm", "password": PASSWORD, "code": code(device)})
    codes = [li.get_text(strip=True) for li in soup(response).select("#backup-codes li")]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in response["Cache-Control"]
    assert list(TOTPDevice.objects.filter(user=member.user)) == [device]
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert signed_in(member, settings)  # the session moved to the new app
    again = member.get(page_url(settings)).content.decode()
    assert not any(c in again for c in codes) and "10 unused backup codes" in again


def test_a_wrong_password_or_code_changes_nothing(member, settings):
    device, _ = start_enrolment(member, settings)
    wrong_password = member.post(page_url(settings), {"action": "confirm", "password": "nope", "code": code(device)})
    assert "That is not your current password." in wrong_password.content.decode()
    wrong_code = member.post(page_url(settings), {"action": "confirm", "password": PASSWORD, "code": "000000"})
    assert "That code did not match" in wrong_code.content.decode()
    assert TOTPDevice.objects.get(user=member.user, confirmed=True) == member.old_device
    assert not StaticToken.objects.exists()


def test_an_unconfirmed_app_signs_nobody_in(member, settings):
    device, _ = start_enrolment(member, settings)
    assert log_in(Client(), settings, member.user.username, code(device)).status_code == 200  # the form again


def test_a_backup_code_signs_in_once_in_the_code_field(member, settings):
    codes = two_factor.new_backup_codes(member.user)
    browser = Client()
    log_in(browser, settings, member.user.username, codes[0].upper())
    assert signed_in(browser, settings)
    again = Client()
    failed = log_in(again, settings, member.user.username, codes[0])
    assert not signed_in(again, settings)
    assert "That did not work." in failed.content.decode()
    assert two_factor.backup_codes_left(member.user) == 9


def test_a_wrong_backup_code_looks_like_any_other_failure_and_counts(member, settings):
    two_factor.new_backup_codes(member.user)
    wrong_password = log_in(Client(), settings, member.user.username, "abcdefgh", password="wrong")
    wrong_code = log_in(Client(), settings, member.user.username, "abcdefgh")
    messages = [re.sub(r"\s+", " ", soup(r).select_one(".errornote").get_text()) for r in (wrong_password, wrong_code)]
    assert messages[0] == messages[1]
    assert AccessAttempt.objects.get(username=member.user.username).failures_since_start == 2


def test_a_lost_phone_is_replaced_after_signing_in_with_a_backup_code(member, settings):
    codes = two_factor.new_backup_codes(member.user)
    browser = Client()
    log_in(browser, settings, member.user.username, codes[3])
    browser.user = member.user
    device, _ = start_enrolment(browser, settings)
    browser.post(page_url(settings), {"action": "confirm", "password": PASSWORD, "code": code(device)})
    assert not TOTPDevice.objects.filter(pk=member.old_device.pk).exists()
    fresh = Client()
    log_in(fresh, settings, member.user.username, code(device, steps_ahead=1))
    assert signed_in(fresh, settings)


def test_new_backup_codes_need_the_password_and_replace_the_old(member, settings):
    old = two_factor.new_backup_codes(member.user)
    refused = member.post(page_url(settings), {"action": "backup_codes", "password": "nope"})
    assert "That is not your current password." in refused.content.decode()
    assert two_factor.backup_codes_left(member.user) == 10
    made = member.post(page_url(settings), {"action": "backup_codes", "password": PASSWORD})
    new = [li.get_text(strip=True) for li in soup(made).select("#backup-codes li")]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_a_manager_resets_a_members_second_factor_and_it_is_recorded(member, staff_client, settings):
    manager = staff_client(roles.CLINIC_MANAGER)
    response = manager.post(
        f"/{settings.ADMIN_URL}auth/user/",
        {"action": "reset_two_factor", "_selected_action": [member.user.pk]},
    )
    codes = [li.get_text(strip=True) for li in soup(response).select(".backup-codes li")]
    assert len(codes) == 10
    assert not TOTPDevice.objects.filter(user=member.user).exists()
    assert not signed_in(member, settings)  # the old app's session is no longer verified
    entry = LogEntry.objects.get(object_id=str(member.user.pk))
    assert entry.user == manager.user and "Two-factor sign-in reset" in entry.get_change_message()
    browser = Client()
    log_in(browser, settings, member.user.username, codes[0])
    assert signed_in(browser, settings)


@pytest.mark.parametrize("role", [roles.RECEPTION, roles.CLINICIAN, roles.CONTENT_EDITOR])
def test_only_managers_may_reset(staff_client, settings, django_user_model, role):
    other = make_staff(django_user_model, "someone-else")
    TOTPDevice.objects.create(user=other, name="Phone", confirmed=True)
    client = staff_client(role)
    client.post(f"/{settings.ADMIN_URL}auth/user/", {"action": "reset_two_factor", "_selected_action": [other.pk]})
    assert TOTPDevice.objects.filter(user=other).exists()


def test_the_page_has_no_inline_script_or_style(member, settings):
    page = soup(member.get(page_url(settings), {"action": "enrol"}))
    assert not [s for s in page.find_all("script") if not s.get("src")]
    assert not page.find_all(style=True) and not page.find_all("style")
