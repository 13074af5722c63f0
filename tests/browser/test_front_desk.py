"""A receptionist takes a phone booking from the agenda: click a free time, add the caller, answer, confirm."""

import pytest

from clinic.staff import roles
from tests.browser.test_admin_reception import one_time_code
from tests.clinic_fixtures import NOW, TUESDAY, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUESTIONS = [
    "Do you get cold sores?",
    "Have you taken isotretinoin (for example Roaccutane) in the last 12 months?",
    "Are you pregnant, or could you be, or are you breastfeeding?",
    "Have you ever had keloid or raised, thick scars?",
    "Do you take medicine that thins the blood (for example warfarin, apixaban, aspirin or clopidogrel)?",
    "Have you ever reacted badly to a local anaesthetic?",
]


@pytest.fixture
def desk_user(django_user_model):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.staff_fixtures import make_staff

    user = make_staff(django_user_model, "phone-desk", role=roles.RECEPTION)
    user.device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def sign_in(page, base_url, settings, user):
    page.goto(f"{base_url}/{settings.ADMIN_URL}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_label("Code from your authenticator app").fill(one_time_code(user.device))
    page.get_by_role("button", name="Sign in").click()


def take_the_phone_booking(page, base_url, settings):
    """From tomorrow's agenda to a confirmed booking for a new caller; returns the desk pages' paths seen."""
    seen = []
    page.goto(f"{base_url}/{settings.ADMIN_URL}agenda/{TUESDAY.isoformat()}/")
    page.get_by_role("link", name="book 10:00 with Dr Amira Shah").click()
    seen.append(page.url.removeprefix(base_url))
    page.get_by_label("Full name").fill("Robin Caller")
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("Phone number").fill("07911 123 456")
    page.get_by_label("Date of birth").fill("1984-06-30")
    page.get_by_role("button", name="Add patient and continue").click()
    seen.append(page.url.removeprefix(base_url))
    page.get_by_role("combobox", name="Consultation").select_option(label="Milia consultation")
    page.get_by_role("button", name="Show free times").click()
    assert page.get_by_role("radio", name="10:00").is_checked()  # the time clicked on the agenda
    for question in QUESTIONS:
        page.get_by_role("group", name=question).get_by_label("No", exact=True).check()
    page.get_by_label("The patient has been told how the clinic keeps their details").check()
    page.get_by_role("button", name="Book appointment").click()
    return seen


def test_a_receptionist_takes_a_phone_booking_from_the_agenda(
    site, settings, plain_http_cookies, now, desk_user, dr_shah
):
    from clinic.models import Appointment, Outbox

    site.set_viewport_size({"width": 1280, "height": 800})
    sign_in(site, site.base_url, settings, desk_user)
    take_the_phone_booking(site, site.base_url, settings)
    assert "Booked" in site.locator(".messagelist").inner_text()
    appointment = Appointment.objects.get(patient__email="robin@example.org")
    assert appointment.starts_at == at(TUESDAY, 10) and appointment.practitioner.name == "Dr Amira Shah"
    assert appointment.patient.phone == "+447911123456"
    assert Outbox.objects.filter(kind="booking_confirmed", cause=f"appointment:{appointment.pk}").exists()

    # The list opens on upcoming appointments, status readable on a 1280-pixel screen.
    site.goto(f"{site.base_url}/{settings.ADMIN_URL}clinic/appointment/")
    badge = site.locator(f"#result_list tr:has-text('{appointment.reference}') .status-badge")
    box = badge.bounding_box()
    assert badge.is_visible() and box["x"] + box["width"] <= 1280
    assert site.console_errors == []


def test_the_desk_pages_have_no_axe_violations(
    browser, live_server, settings, plain_http_cookies, now, desk_user, dr_shah
):
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(bypass_csp=True)  # axe is injected, which our CSP refuses
    page = context.new_page()
    sign_in(page, live_server.url, settings, desk_user)
    seen = take_the_phone_booking(page, live_server.url, settings)
    axe = Axe()
    pages = [
        f"/{settings.ADMIN_URL}agenda/{TUESDAY.isoformat()}/",
        seen[0] + "&q=robin",  # the search, with a result
        seen[1],  # booking for the patient (the time now taken: the nearest free times offered)
    ]
    for path in pages:
        page.goto(live_server.url + path)
        violations = axe.run(page).response["violations"]
        assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == [], path
    context.close()
    assert NOW.date() < TUESDAY
