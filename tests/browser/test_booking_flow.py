"""Booking in a real browser: on a phone, with and without JavaScript, accessible."""

import pytest

from tests.clinic_fixtures import TUESDAY, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone(browser, live_server, plain_http_cookies, clinic_schedule, now):
    def open_page(javascript=True):
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, java_script_enabled=javascript
        )
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.console_errors = errors
        return page

    return open_page


def book_through_the_pages(page, base_url):
    page.goto(base_url + "/treatments/laser/")
    page.get_by_role("link", name="Book a consultation").last.click()
    assert page.get_by_role("radio", name="Milia consultation (30 minutes, £95.00)").is_checked()
    page.get_by_role("radio", name="No preference (first available)").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("group", name="Tuesday 8 December").get_by_role("radio", name="10:00").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Full name").fill("Pat Example")
    page.get_by_label("Email address").fill("pat@example.org")
    page.get_by_label("Phone number").fill("07911 123456")
    page.get_by_label("Date of birth").fill("1990-05-17")
    page.get_by_role("checkbox", name="privacy notice").check()
    page.get_by_role("button", name="Continue").click()
    for group in page.locator("form").get_by_role("group").all():  # not the menu (a <details>)
        group.get_by_role("radio", name="No").first.check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Confirm booking").click()
    return page.locator(".booking-reference").inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_patient_books_on_a_phone(phone, live_server, javascript):
    from clinic.models import Appointment

    page = phone(javascript)
    reference = book_through_the_pages(page, live_server.url)
    appointment = Appointment.objects.get()
    assert reference == appointment.reference
    assert appointment.starts_at == at(TUESDAY, 10)
    assert page.console_errors == []


def test_choosing_a_time_is_announced(phone, live_server):
    page = phone(True)
    page.goto(live_server.url + "/book/?consultation_type=milia-consultation&practitioner=any")
    page.get_by_role("group", name="Tuesday 8 December").get_by_role("radio", name="11:15").check()
    assert page.locator("#slot-choice").inner_text() == "You have chosen Tuesday 8 December at 11:15."


def test_booking_pages_have_no_axe_violations(axe_check, plain_http_cookies, clinic_schedule, now):
    assert axe_check("/book/") == []
    assert axe_check("/book/?consultation_type=milia-consultation&practitioner=any") == []
    assert axe_check("/privacy/") == []


def test_a_patient_cancels_from_the_link_in_their_email(phone, live_server, book, dr_shah):
    """The token page's form must pass the CSRF check in a real browser (Origin header and all)."""
    from clinic.models import Appointment
    from tests.helpers import manage_token

    appointment = book(at(TUESDAY, 10), dr_shah)
    token = manage_token(appointment)
    page = phone(True)
    page.goto(f"{live_server.url}/manage/{token}/")
    page.get_by_role("link", name="Cancel appointment").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your appointment is cancelled"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT
