"""Reception's morning in a real browser: sign in with a one-time code, find today's patient, mark them attended."""

import datetime

import pytest
import time_machine

from clinic.staff import roles
from tests.clinic_fixtures import NOW, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TODAY = NOW.date()


@pytest.fixture
def receptionist(django_user_model):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.staff_fixtures import make_staff

    user = make_staff(django_user_model, "front-desk", role=roles.RECEPTION)
    user.device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


@pytest.fixture
def todays_patient(book, dr_shah):
    # Booked last week (online booking needs notice), for 10:00 today.
    return book(at(TODAY, 10), practitioner=dr_shah, now=NOW - datetime.timedelta(days=7))


def one_time_code(device):
    from django_otp.oath import totp

    device.refresh_from_db()
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(device.digits)


def sign_in(page, base_url, settings, user):
    page.goto(f"{base_url}/{settings.ADMIN_URL}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_label("Code from your authenticator app").fill(one_time_code(user.device))
    page.get_by_role("button", name="Sign in").click()


def test_a_receptionist_signs_in_with_a_code_and_marks_todays_patient_attended(
    site, settings, plain_http_cookies, now, receptionist, todays_patient
):
    with time_machine.travel(at(TODAY, 10, 5), tick=False):  # attended is marked once the appointment has started
        mark_todays_patient_attended(site, settings, receptionist, todays_patient)


def mark_todays_patient_attended(site, settings, receptionist, todays_patient):
    from clinic.models import Appointment

    sign_in(site, site.base_url, settings, receptionist)
    assert site.locator("#site-name").inner_text() == settings.CLINIC_NAME
    site.get_by_role("link", name="Today's agenda", exact=True).click()
    site.get_by_role("link", name="10:00 Pat Example").click()
    assert todays_patient.reference in site.content()

    site.goto(f"{site.base_url}/{settings.ADMIN_URL}clinic/appointment/?when=today")
    site.get_by_role("searchbox").fill("Pat Example")
    site.get_by_role("searchbox").press("Enter")
    site.get_by_role("checkbox", name=f"Select this object for an action - {todays_patient}").check()
    site.get_by_role("combobox", name="Action").select_option(label="Mark attended")
    site.get_by_role("button", name="Go").click()
    assert "1 appointment(s) marked attended." in site.locator(".messagelist").inner_text()
    assert Appointment.objects.get(pk=todays_patient.pk).status == Appointment.Status.ATTENDED
    assert site.console_errors == []


def test_the_agenda_and_dashboard_have_no_axe_violations(
    browser, live_server, settings, plain_http_cookies, now, receptionist, todays_patient
):
    from axe_playwright_python.sync_playwright import Axe

    # Axe is injected into the page, which our CSP refuses: this one context bypasses it.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, settings, receptionist)
    axe = Axe()
    for path in ("", "agenda/", f"agenda/{TODAY + datetime.timedelta(days=1)}/"):
        page.goto(f"{live_server.url}/{settings.ADMIN_URL}{path}")
        violations = axe.run(page).response["violations"]
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == [], path
    context.close()


@pytest.mark.parametrize("width", [1280, 1024])
def test_todays_list_on_the_dashboard_fits_its_panel(site, settings, plain_http_cookies, now, receptionist, width):
    """Four columns beside the other panels were cut off under the next one: each status must show whole."""
    from tests.factories import AppointmentFactory

    AppointmentFactory(starts_at=at(TODAY, 11), patient__name="Bartholomew Featherstonehaugh-Smythe")
    site.set_viewport_size({"width": width, "height": 900})
    sign_in(site, site.base_url, settings, receptionist)
    table = site.get_by_role("table", name="Today's appointments (1)")
    assert table.get_by_text("Booked").is_visible()
    overflow = table.evaluate(
        "t => t.getBoundingClientRect().right - t.closest('.dashboard-panel').getBoundingClientRect().right"
    )
    assert overflow <= 0
