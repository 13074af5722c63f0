"""Staff login: lockout after repeated failures, a one-time code as well as the password, session limits."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.lib.client_ip import client_ip
from clinic.staff import roles
from tests.staff_fixtures import make_staff, sign_in

# Sign-in as production does it, Argon2 and all.
pytestmark = [pytest.mark.django_db, pytest.mark.argon2]

PASSWORD = "a-long-enough-password"


def code(device):
    device.refresh_from_db()
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(device.digits)


def log_in(client, settings, username, password=PASSWORD, otp="000000", **extra):
    """POST the login form; by default with a code that is wrong (a password alone is never checked)."""
    data = {"username": username, "password": password, "otp_token": otp}
    return client.post(f"/{settings.ADMIN_URL}login/?next=/{settings.ADMIN_URL}", data, **extra)


def signed_in(client, settings):
    return client.get(f"/{settings.ADMIN_URL}").status_code == 200


# --- Lockout (django-axes) -----------------------------------------------------------------------


def test_C1_five_wrong_passwords_lock_the_login_even_with_the_right_password(client, settings, staff, clock):
    for _ in range(4):
        assert log_in(client, settings, staff.username, "wrong-password").status_code == 200
    assert log_in(client, settings, staff.username, "wrong-password").status_code == 429  # the fifth locks
    response = log_in(client, settings, staff.username, otp=code(staff.device))
    assert response.status_code == 429
    assert not signed_in(client, settings)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == staff.username and attempt.failures_since_start >= 5


def test_C1_another_user_at_the_same_address_is_not_locked_out(client, settings, staff, clock, django_user_model):
    colleague = make_staff(django_user_model, "colleague", role=roles.RECEPTION)
    device = TOTPDevice.objects.create(user=colleague, name="Phone", confirmed=True)
    for _ in range(6):
        log_in(client, settings, staff.username, "wrong-password")
    response = log_in(Client(), settings, colleague.username, otp=code(device))
    assert response.status_code == 302


def test_C1_the_lock_lifts_after_the_cool_off(client, settings, staff, clock):
    for _ in range(5):
        log_in(client, settings, staff.username, "wrong-password")
    clock.shift(datetime.timedelta(minutes=14))
    assert log_in(client, settings, staff.username, otp=code(staff.device)).status_code == 429
    clock.shift(datetime.timedelta(minutes=16))
    assert log_in(client, settings, staff.username, otp=code(staff.device)).status_code == 302
    assert signed_in(client, settings)


def test_C2_the_lock_keys_on_the_address_our_proxy_saw_not_a_forged_header(client, settings, staff, clock):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # the test client connects from 127.0.0.1: here it is our proxy
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for n in range(5):
        # The attacker forges a different address each time; our proxy appends the real one.
        log_in(client, settings, staff.username, "wrong-password", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.5")
    assert log_in(client, settings, staff.username, otp=code(staff.device), **attacker).status_code == 429
    desk = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert log_in(Client(), settings, staff.username, otp=code(staff.device), **desk).status_code == 302


def test_J7_a_client_reaching_the_app_directly_cannot_choose_its_address(client, settings, staff, clock):
    """Our proxy is elsewhere; this client talks to the app directly and forges a fresh address each try."""
    settings.TRUSTED_PROXIES = ["10.9.9.9"]
    for n in range(5):
        log_in(client, settings, staff.username, "wrong-password", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = log_in(client, settings, staff.username, otp=code(staff.device), HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
    assert not signed_in(client, settings)


def test_C2_J7_the_client_address_comes_through_trusted_proxies_only(settings):
    via_proxy = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXIES = []
    assert client_ip(via_proxy) == "10.0.0.1"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(via_proxy) == "203.0.113.5"  # what our proxy saw; 6.6.6.6 is the client's own claim
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "203.0.113.0/24"]  # two proxies of ours, a CDN then nginx
    assert client_ip(via_proxy) == "6.6.6.6"
    direct = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="198.51.100.1")
    assert client_ip(direct) == "198.51.100.1"
    garbage = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="<script>", REMOTE_ADDR="10.0.0.1")
    assert client_ip(garbage) == "10.0.0.1"


def test_a_malformed_trusted_proxy_setting_stops_the_site_starting(tmp_path):
    from tests.clinic.test_settings import run_manage

    result = run_manage(
        "check", env_overrides={"DEBUG": "true", "TRUSTED_PROXIES": "10.0.0.0/8,nginx"}, tmp_path=tmp_path
    )
    assert result.returncode != 0 and "TRUSTED_PROXIES" in result.stderr


# --- Two-factor (django-otp) -----------------------------------------------------------------------


def test_C3_a_password_alone_is_not_enough(client, settings, staff, clock):
    response = log_in(client, settings, staff.username, otp="")
    assert response.status_code == 200
    assert "Enter your username, password and the 6-digit code" in response.content.decode()
    assert not signed_in(client, settings)


def test_C3_the_right_code_lets_staff_in_and_a_replayed_code_is_refused(client, settings, staff, clock):
    used = code(staff.device)
    assert log_in(client, settings, staff.username, otp=used).status_code == 302
    assert signed_in(client, settings)
    second = Client()
    response = log_in(second, settings, staff.username, otp=used)  # the same code, within its 30 seconds
    assert response.status_code == 200 and "works only once" in response.content.decode()
    assert not signed_in(second, settings)


def test_C3_a_wrong_code_is_refused_and_the_next_try_is_throttled(client, settings, staff, clock):
    wrong = str((int(code(staff.device)) + 1) % 1_000_000).zfill(6)
    assert "That did not work" in log_in(client, settings, staff.username, otp=wrong).content.decode()
    response = log_in(client, settings, staff.username, otp=code(staff.device))  # right, but too soon after
    assert response.status_code == 200
    assert not signed_in(client, settings)
    clock.shift(datetime.timedelta(seconds=31))
    assert log_in(client, settings, staff.username, otp=code(staff.device)).status_code == 302


def failure_message(response):
    from bs4 import BeautifulSoup

    return [p.get_text(" ", strip=True) for p in BeautifulSoup(response.content, "html.parser").select(".errornote")]


def test_J8_a_wrong_password_and_a_wrong_code_look_the_same(client, settings, staff, clock):
    """Same status and message whether or not the password was right: the login is no password oracle."""
    wrong_code = str((int(code(staff.device)) + 1) % 1_000_000).zfill(6)
    wrong_password = log_in(Client(), settings, staff.username, "wrong-password", otp=wrong_code)
    right_password = log_in(Client(), settings, staff.username, otp=wrong_code)
    assert wrong_password.status_code == right_password.status_code == 200
    assert failure_message(wrong_password) == failure_message(right_password) != []
    nobody = log_in(Client(), settings, "no-such-user", "wrong-password", otp=wrong_code)
    assert failure_message(nobody) == failure_message(wrong_password)


def test_J8_wrong_codes_after_the_right_password_count_towards_the_lockout(client, settings, staff, clock):
    wrong = str((int(code(staff.device)) + 1) % 1_000_000).zfill(6)
    for _ in range(5):
        clock.shift(datetime.timedelta(minutes=1))  # past django-otp's own throttle: only axes stops them
        response = log_in(client, settings, staff.username, otp=wrong)
    assert response.status_code == 429
    clock.shift(datetime.timedelta(minutes=1))
    assert log_in(client, settings, staff.username, otp=code(staff.device)).status_code == 429
    assert AccessAttempt.objects.get().failures_since_start >= 5


def test_staff_without_an_authenticator_get_the_same_message_and_a_hint(client, settings, django_user_model, clock):
    user = make_staff(django_user_model, "new-starter", role=roles.RECEPTION)
    response = log_in(client, settings, user.username, otp="123456")
    assert "That did not work" in response.content.decode()
    assert "No authenticator app set up yet? Ask the clinic manager." in response.content.decode()


def test_C3_a_session_without_a_verified_code_does_not_open_the_admin(client, settings, staff):
    client.force_login(staff)  # password-level login only
    response = client.get(f"/{settings.ADMIN_URL}clinic/appointment/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_with_2fa_switched_off_a_password_is_enough(client, settings, staff, clock):
    settings.STAFF_2FA_REQUIRED = False
    assert log_in(client, settings, staff.username, otp="").status_code == 302
    assert signed_in(client, settings)


def test_2fa_is_required_by_default_outside_debug(tmp_path):
    from tests.clinic.test_settings import PRODUCTION_ENV, run_manage

    code_ = "from django.conf import settings as s; print(s.STAFF_2FA_REQUIRED, s.STAFF_IDLE_TIMEOUT_MINUTES)"
    production = run_manage("shell", "-v0", "-c", code_, env_overrides=PRODUCTION_ENV, tmp_path=tmp_path)
    assert production.stdout.split() == ["True", "30"], production.stderr
    laptop = run_manage("shell", "-v0", "-c", code_, env_overrides={"DEBUG": "true"}, tmp_path=tmp_path)
    assert laptop.stdout.split()[0] == "False"


# --- Session limits -------------------------------------------------------------------------------------


def test_C6_staff_are_signed_out_after_the_idle_timeout(client, settings, staff, clock):
    sign_in(client, staff)
    assert signed_in(client, settings)
    clock.shift(datetime.timedelta(minutes=29))
    assert signed_in(client, settings)
    clock.shift(datetime.timedelta(minutes=31))
    response = client.get(f"/{settings.ADMIN_URL}", follow=True)
    assert "/login/" in response.redirect_chain[-1][0]
    assert "signed out after a period of inactivity" in response.content.decode()


def test_C6_staff_are_signed_out_after_twelve_hours_however_active(client, settings, staff, clock):
    sign_in(client, staff)
    for _ in range(36):  # every 20 minutes for 12 hours
        assert signed_in(client, settings)
        clock.shift(datetime.timedelta(minutes=20))
    clock.shift(datetime.timedelta(minutes=5))
    assert not signed_in(client, settings)


def test_C4_the_session_changes_at_login(client, settings, staff, clock):
    client.get(f"/{settings.ADMIN_URL}login/")
    client.session.save()
    before = client.cookies.get(settings.SESSION_COOKIE_NAME)
    log_in(client, settings, staff.username, otp=code(staff.device))
    after = client.cookies.get(settings.SESSION_COOKIE_NAME)
    assert after is not None and (before is None or before.value != after.value)
