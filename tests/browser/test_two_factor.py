"""A staff member sets up their authenticator app in a real browser, then signs in with it and with a backup code."""

import base64

import pytest

from clinic.staff import roles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-enough-password"


def code_for(key, steps_ahead=0):
    """The code an authenticator app shows for this key (RFC 6238, django-otp's own TOTP)."""
    from django_otp.oath import totp

    return str(totp(key, step=30, t0=0, digits=6, drift=steps_ahead)).zfill(6)


@pytest.fixture
def clinician(django_user_model):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.staff_fixtures import make_staff

    user = make_staff(django_user_model, "dr-enrol", role=roles.CLINICIAN)
    user.device = TOTPDevice.objects.create(user=user, name="Old phone", confirmed=True)
    return user


def sign_in(page, base_url, settings, username, code):
    page.goto(f"{base_url}/{settings.ADMIN_URL}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Sign in").click()


def test_a_clinician_enrols_a_new_app_then_signs_in_with_it_and_with_a_backup_code(
    site, browser, settings, plain_http_cookies, clinician
):
    from axe_playwright_python.sync_playwright import Axe

    sign_in(site, site.base_url, settings, clinician.username, code_for(clinician.device.bin_key))
    site.get_by_role("link", name="Two-factor sign-in").click()
    site.get_by_role("link", name="Set up a new authenticator app").click()
    assert site.get_by_role("img", name="QR code").is_visible()
    secret = site.locator("#totp-secret").inner_text().strip()
    key = base64.b32decode(secret)
    site.get_by_label("Your current password").fill(PASSWORD)
    site.get_by_label("The 6-digit code your app shows now").fill(code_for(key))
    site.get_by_role("button", name="Confirm the new app").click()
    codes = [c.strip() for c in site.locator("#backup-codes li").all_inner_texts()]
    assert len(codes) == 10

    site.get_by_role("button", name="Log out").click()
    sign_in(site, site.base_url, settings, clinician.username, code_for(key, steps_ahead=1))
    assert site.locator("#site-name").inner_text() == settings.CLINIC_NAME
    site.get_by_role("button", name="Log out").click()

    sign_in(site, site.base_url, settings, clinician.username, codes[0])
    assert site.get_by_role("link", name="Two-factor sign-in").is_visible()
    assert site.console_errors == []

    # axe is injected into the page, which our CSP refuses: this one context bypasses it.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, site.base_url, settings, clinician.username, codes[1])
    axe = Axe()
    for query in ("", "?action=enrol"):
        page.goto(f"{site.base_url}/{settings.ADMIN_URL}account/two-factor/{query}")
        violations = axe.run(page).response["violations"]
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == [], query
    context.close()
