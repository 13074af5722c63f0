"""A patient on a phone (375 px) with JavaScript off books from a treatment page, submitting each step
empty once and reading the error summary; with JavaScript on, focus moves to the summary and the notes
are counted. And the three calendar files of one appointment, parsed by a calendar parser in Chromium."""

import base64
import datetime

import pytest
from playwright.sync_api import expect

from tests.clinic_fixtures import NOW, TUESDAY, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def phone(browser, live_server, plain_http_cookies, clinic_schedule, now):
    contexts = []

    def open_page(javascript):
        context = browser.new_context(
            viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.console_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


def summary(page):
    """The error summary's links, after checking it is the first thing in the page's content."""
    box = page.locator("#error-summary")
    expect(box).to_be_visible()
    expect(box.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error: ")
    # Before the heading: without JavaScript nothing moves focus, so it must come first in reading order.
    assert page.locator("#error-summary ~ h1").count() == 1
    return [link.inner_text() for link in box.get_by_role("link").all()]


def panel(page):
    box = page.locator("aside.booking-summary")
    return dict(zip(box.locator("dt").all_inner_texts(), box.locator("dd").all_inner_texts(), strict=True))


def test_a_phone_without_javascript_books_from_milialar_via_a_treatment_page_reading_each_error_summary(
    phone, live_server
):
    from clinic.models import Appointment

    page = phone(javascript=False)
    page.goto(live_server.url + "/milialar/")  # not a medical term: the milia page answers it
    assert page.url == live_server.url + "/milia/"
    page.locator("main").locator('a[href="/treatments/laser/"]').first.click()
    assert page.url == live_server.url + "/treatments/laser/"
    page.locator(".booking-call").get_by_role("link", name="Book a consultation").click()
    assert panel(page) == {"Treatment of interest": "Laser ablation"}

    # Step 1, empty: the site's own "Book" link starts with nothing chosen; the treatment stays.
    page.goto(live_server.url + "/book/")
    page.get_by_role("button", name="Continue").click()
    assert summary(page) == ["Choose a consultation type"]
    page.get_by_role("link", name="Choose a consultation type").click()
    expect(page.locator("#id_consultation_type_0")).to_be_focused()
    page.get_by_role("radio", name="Milia consultation (30 minutes, £95.00)").check()
    page.get_by_role("button", name="Continue").click()

    # Step 2, empty.
    assert panel(page)["Treatment of interest"] == "Laser ablation"
    assert panel(page)["Price"] == "£95.00"
    page.get_by_role("button", name="Continue").click()
    assert summary(page) == ["Choose a time"]
    page.get_by_role("link", name="Choose a time").click()
    expect(page.locator("#slot-times")).to_be_focused()
    page.get_by_role("group", name="Tuesday 8 December").get_by_role("radio", name="10:00").check()
    page.get_by_role("button", name="Continue").click()

    # Step 3, empty.
    assert panel(page)["Time"] == "Tuesday 8 December 2026 at 10:00"
    page.get_by_role("button", name="Continue").click()
    assert summary(page) == [
        "Enter your full name",
        "Enter your email address, for example name@example.com",
        "Enter your phone number, for example 07911 123456",
        "Enter your date of birth, for example 31 3 1980",
        "Tick the box to agree to the privacy notice, so we can book your appointment",
    ]
    page.get_by_role("link", name="Enter your date of birth, for example 31 3 1980").click()
    expect(page.get_by_label("Date of birth")).to_be_focused()
    assert "Up to 2,000 characters." in page.locator("main").inner_text()
    page.get_by_label("Full name").fill("Pat Example")
    page.get_by_label("Email address").fill("pat@example.org")
    page.get_by_label("Phone number").fill("07911 123456")
    page.get_by_label("Date of birth").fill("1990-05-17")
    page.get_by_label("Anything you would like us to know").fill("x" * 2001)
    page.get_by_role("checkbox", name="privacy notice").check()
    page.get_by_role("button", name="Continue").click()
    assert summary(page) == [
        "Your note is 2,001 characters long: shorten it to 2,000 characters or fewer"
        " (you can tell us more at your consultation)"
    ]
    page.get_by_label("Anything you would like us to know").fill("Three milia under my left eye.")
    page.get_by_role("checkbox", name="privacy notice").check()
    page.get_by_role("button", name="Continue").click()

    # Step 4, empty: every question is named.
    page.get_by_role("button", name="Continue").click()
    problems = summary(page)
    assert len(problems) == 6
    assert all(problem.startswith("Answer the question") for problem in problems)
    for group in page.locator("form").get_by_role("group").all():
        group.get_by_role("radio", name="No").first.check()
    page.get_by_role("button", name="Continue").click()

    # Step 5: everything to check, date of birth included; then confirmed.
    main = page.locator("main").inner_text()
    for shown in ("Laser ablation", "£95.00", "Tuesday 8 December 2026 at 10:00", "17 May 1990", "Three milia"):
        assert shown in main
    assert "can't be changed online" not in main
    page.get_by_role("button", name="Confirm booking").click()
    reference = page.locator(".booking-reference").inner_text()
    appointment = Appointment.objects.get()
    assert (reference, appointment.starts_at) == (appointment.reference, at(TUESDAY, 10))
    assert page.console_errors == []


def test_with_javascript_focus_moves_to_the_summary_and_the_notes_are_counted(phone, live_server):
    page = phone(javascript=True)
    page.goto(live_server.url + "/book/")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#error-summary")).to_be_focused()
    page.get_by_role("radio", name="Milia consultation (30 minutes, £95.00)").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("group", name="Tuesday 8 December").get_by_role("radio", name="10:00").check()
    page.get_by_role("button", name="Continue").click()
    notes = page.get_by_label("Anything you would like us to know")
    expect(page.locator("#id_notes-count")).to_have_text("You have 2,000 characters remaining")
    notes.fill("x" * 2005)
    expect(page.locator("#id_notes-count")).to_have_text("You have 5 characters too many")
    assert page.console_errors == []


# No calendar library is available offline, so the page's parser is a minimal one written here:
# RFC 5545 3.1 line unfolding (CRLF followed by a space or tab continues a line), then NAME;PARAMS:VALUE,
# with BEGIN/END nesting. It is what a calendar app does first with any .ics file.
PARSER = """
(texts) => texts.map((text) => {
  const lines = text.replace(/\\r\\n[ \\t]/g, "").split(/\\r\\n/).filter((line) => line.length);
  const stack = [{ name: "ROOT", props: {}, children: [] }];
  for (const line of lines) {
    const colon = line.indexOf(":");
    const [name] = line.slice(0, colon).split(";");
    const value = line.slice(colon + 1);
    if (name === "BEGIN") {
      const component = { name: value, props: {}, children: [] };
      stack[stack.length - 1].children.push(component);
      stack.push(component);
    } else if (name === "END") {
      if (stack.pop().name !== value) { throw new Error("unbalanced " + value); }
    } else {
      stack[stack.length - 1].props[name] = value;
    }
  }
  const calendar = stack[0].children[0];
  const event = calendar.children.find((c) => c.name === "VEVENT");
  return { method: calendar.props.METHOD, uid: event.props.UID, sequence: Number(event.props.SEQUENCE),
           status: event.props.STATUS, start: event.props.DTSTART };
})
"""


def test_a_calendar_parser_in_the_browser_reads_one_event_updated_then_cancelled(page, book, dr_shah):
    from clinic.booking import services as booking
    from clinic.models import Outbox

    thursday = TUESDAY + datetime.timedelta(days=2)
    appointment = book(at(thursday, 10), dr_shah)
    later = NOW + datetime.timedelta(hours=1)
    booking.reschedule_appointment(appointment=appointment, starts_at=at(thursday, 14), now=later)
    booking.cancel_appointment(appointment=appointment, by_clinic=False, now=later)
    texts = [
        base64.b64decode(Outbox.objects.get(kind=kind).attachments[0]["content"]).decode()
        for kind in ("booking_confirmed", "booking_rescheduled", "booking_cancelled")
    ]
    page.set_content("<!doctype html><title>Calendar files</title>")
    new, moved, cancelled = page.evaluate(PARSER, texts)
    assert new["uid"] == moved["uid"] == cancelled["uid"]
    assert [e["method"] for e in (new, moved, cancelled)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert [e["sequence"] for e in (new, moved, cancelled)] == [0, 1, 2]
    assert [e["status"] for e in (new, moved, cancelled)] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert (new["start"], moved["start"]) == ("20261210T100000Z", "20261210T140000Z")
