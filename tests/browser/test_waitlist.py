"""The waiting list in a real browser: join from the time picker, follow the offer email, take the time; axe-clean."""

import pytest

from tests.clinic_fixtures import TUESDAY, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def full_morning(book, consultation, dr_shah, now):
    from clinic.booking import schedule
    from tests.clinic_fixtures import details

    booked = []
    while True:
        slots = schedule.free_slots(
            consultation_type=consultation,
            practitioner=dr_shah,
            first_day=TUESDAY,
            last_day=TUESDAY,
            now=now,
        )
        mornings = [s for s in slots if s.start < at(TUESDAY, 12)]
        if not mornings:
            return booked
        booked.append(book(mornings[0].start, dr_shah, details=details(email="filler@example.org")))


def offer_link(entry):
    from django.core import mail

    from clinic.mail import sending
    from clinic.models import Outbox
    from clinic.waitlist import services as waitlist

    row = Outbox.objects.get(cause=waitlist.offer_cause(entry.offers.get().pk))
    assert sending.send_one(row.pk, now=row.next_attempt_at) == Outbox.Status.SENT
    return next(line for line in mail.outbox[-1].body.splitlines() if "/waitlist/place/" in line).strip()


def test_a_patient_joins_from_the_picker_is_offered_a_freed_time_and_takes_it(
    site, axe_check, plain_http_cookies, full_morning, dr_shah, now, settings
):
    from clinic.booking import services as booking
    from clinic.models import Appointment, WaitlistEntry
    from clinic.waitlist import offering

    page = site
    page.goto(f"{page.base_url}/book/?consultation_type=milia-consultation&practitioner={dr_shah.pk}")
    page.get_by_role("link", name="Join the waiting list").click()
    assert page.get_by_role("radio", name="Milia consultation (30 minutes, £95.00)").is_checked()
    assert page.get_by_role("radio", name="Dr Amira Shah, Consultant dermatologist").is_checked()
    for day in ("Monday", "Wednesday", "Thursday", "Friday"):
        page.get_by_role("checkbox", name=day).uncheck()
    page.get_by_role("checkbox", name="Afternoons (12:00 to 17:00)").uncheck()
    page.get_by_role("checkbox", name="Evenings (from 17:00)").uncheck()
    page.get_by_label("The last day you could come").fill("2026-12-08")
    page.get_by_label("Full name").fill("Pat Example")
    page.get_by_label("Email address").fill("pat@example.org")
    page.get_by_label("Phone number").fill("07911 123456")
    page.get_by_label("Date of birth").fill("1990-05-17")
    page.get_by_role("checkbox", name="privacy notice").check()
    page.get_by_role("button", name="Join the waiting list").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You are on the waiting list"
    entry = WaitlistEntry.objects.get()
    assert (entry.weekdays, entry.times_of_day, entry.practitioner) == ("1", "morning", dr_shah)

    # The clinic cancels a Tuesday-morning appointment; the beat task's scan offers it.
    freed = next(a for a in full_morning if a.starts_at == at(TUESDAY, 10, 30))
    booking.cancel_appointment(appointment=freed, by_clinic=True, now=now)
    assert offering.make_offers(now=now) == 1
    link = offer_link(entry)
    assert link.startswith(settings.SITE_URL)
    path = link.removeprefix(settings.SITE_URL)

    page.goto(page.base_url + path)
    assert "Tuesday 8 December at 10:30 with Dr Amira Shah" in page.locator("#offers-heading + ul").inner_text()
    page.get_by_role("link", name="Take this time").click()
    for group in page.locator("form").get_by_role("group").all():  # not the menu (a <details>)
        group.get_by_role("radio", name="No").first.check()
    page.get_by_role("button", name="Book this time").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your appointment is booked"
    appointment = Appointment.objects.get(starts_at=at(TUESDAY, 10, 30), status="booked")
    assert page.locator(".booking-reference").inner_text() == appointment.reference
    assert appointment.patient.email == "pat@example.org"
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.BOOKED
    assert page.console_errors == []


def test_waiting_list_pages_have_no_axe_violations(axe_check, plain_http_cookies, join_for_axe):
    token, offer_id = join_for_axe
    assert axe_check("/waitlist/join/?consultation_type=milia-consultation") == []
    assert axe_check(f"/waitlist/place/{token}/") == []
    assert axe_check(f"/waitlist/place/{token}/change/") == []
    assert axe_check(f"/waitlist/place/{token}/leave/") == []
    assert axe_check(f"/waitlist/place/{token}/offer/{offer_id}/") == []


@pytest.fixture
def join_for_axe(full_morning, consultation, dr_shah, now):
    """A waiting patient with an open offer, and the token of their link."""
    from clinic.booking import services as booking
    from clinic.models import WaitlistEntry
    from clinic.waitlist import offering
    from clinic.waitlist import services as waitlist
    from tests.clinic_fixtures import details

    wishes = waitlist.Wishes(
        consultation_type=consultation,
        practitioner=dr_shah,
        weekdays=[1],
        times_of_day=["morning"],
        latest_date=TUESDAY,
    )
    waitlist.join(wishes=wishes, details=details(), now=now)
    freed = next(a for a in full_morning if a.starts_at == at(TUESDAY, 10, 30))
    booking.cancel_appointment(appointment=freed, by_clinic=True, now=now)
    offering.make_offers(now=now)
    entry = WaitlistEntry.objects.get()
    link = offer_link(entry)
    return link.split("/waitlist/place/")[1].split("/")[0], entry.offers.get().pk
