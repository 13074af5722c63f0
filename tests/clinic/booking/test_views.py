"""The booking flow at /book/, as a patient with JavaScript off goes through it."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Appointment, Outbox, Patient
from tests.clinic.booking.flow import DETAILS, confirm, walk_to_review
from tests.clinic_fixtures import TUESDAY, at, details
from tests.helpers import soup

pytestmark = pytest.mark.django_db


def test_a_patient_books_in_five_steps_and_gets_a_reference_and_calendar_file(client, now, clinic_schedule):
    review = walk_to_review(client)
    assert "Tuesday 8 December 2026 at 10:00" in review.content.decode()
    response = confirm(client, review)
    assert response["Location"] == "/book/confirmed/"
    appointment = Appointment.objects.get()
    page = client.get("/book/confirmed/")
    assert appointment.reference in page.content.decode()
    assert appointment.questionnaire.cold_sores == "yes"
    assert appointment.notes == "Three milia under my left eye."
    assert appointment.patient.phone == "+447911123456"
    ics = client.get("/book/confirmed/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"DTSTART:20261208T100000Z" in ics.content
    assert Outbox.objects.filter(kind="booking_confirmed", recipient="pat@example.org").count() == 1


def test_arriving_from_a_treatment_page_chooses_the_matching_consultation(client, clinic_schedule):
    page = soup(client.get("/book/", {"treatment": "laser"}))
    assert page.find("input", attrs={"name": "consultation_type", "value": "milia-consultation"}).has_attr("checked")


def test_the_times_page_shows_a_week_of_radio_groups_per_day(client, now, clinic_schedule):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    page = soup(client.get("/book/times/"))
    legends = [legend.text.strip() for legend in page.select("fieldset legend")]
    assert legends[:2] == ["Monday 7 December", "Tuesday 8 December"]
    monday = page.select("fieldset")[0]
    assert "No times free" in monday.text  # 12 hours' notice from 08:00
    tuesday_times = [label.text for label in page.select("fieldset")[1].find_all("label")]
    assert tuesday_times[0] == "09:00"
    assert "12:45" not in tuesday_times
    assert page.find("a", string="Next week →")


def test_first_available_jumps_past_a_closed_fortnight(client, now, clinic_schedule):
    import datetime

    from clinic.models import Closure

    Closure.objects.create(first_day=now.date(), last_day=now.date() + datetime.timedelta(days=13), reason="Closed")
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    page = soup(client.get("/book/times/", {"first": "1"}))
    checked = page.find("input", attrs={"name": "slot", "checked": True})
    assert checked["value"].startswith("2026-12-21T09:00:00")


def test_going_back_keeps_what_was_typed(client, now, clinic_schedule):
    walk_to_review(client)
    page = soup(client.get("/book/details/"))
    assert page.find("input", attrs={"name": "name"})["value"] == "Pat Example"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter an email address like"),
        ("email", "a@b.test\nBcc: x@evil.test", "Enter an email address like"),
        ("name", "Eve\r\nBcc: x@evil.test", "special characters"),
        ("name", "Nul\x00byte", "Null characters are not allowed"),
        ("phone", "12", "phone number we can call"),
        ("date_of_birth", "2999-01-01", "cannot be in the future"),
        ("date_of_birth", "1800-01-01", "check the year"),
        ("privacy_consent", "", "agree to the privacy notice"),
    ],
)
def test_E1_bad_details_get_a_clear_message_and_store_nothing(client, now, clinic_schedule, field, value, message):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    data = {**DETAILS, field: value}
    if not value:
        data.pop(field)
    response = client.post("/book/details/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Patient.objects.count() == 0


@pytest.mark.parametrize(
    "slot",
    [
        "2026-12-08T07:00:00+00:00",
        "2026-12-06T10:00:00+00:00",
        "2026-12-08T10:07:00+00:00",
        "9999-12-31T10:00:00+00:00",
        "0001-01-01T00:00:00+00:00",
        "not-a-time",
        "",
    ],
)
def test_E3_a_tampered_slot_is_refused(client, now, clinic_schedule, slot):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    response = client.post("/book/times/", {"slot": slot})
    assert response.status_code in {200, 409}
    assert client.get("/book/details/").status_code == 302  # no slot was kept


def test_F6_pressing_confirm_twice_books_once(client, now, clinic_schedule):
    """F6: a double click, or back and submit again, shows the same confirmation."""
    review = walk_to_review(client)
    key = soup(review).find("input", attrs={"name": "idempotency_key"})["value"]
    assert client.post("/book/review/", {"idempotency_key": key})["Location"] == "/book/confirmed/"
    assert client.post("/book/review/", {"idempotency_key": key})["Location"] == "/book/confirmed/"
    assert Appointment.objects.count() == 1
    assert Outbox.objects.filter(kind="booking_confirmed").count() == 1


def test_losing_the_slot_at_the_last_moment_offers_alternatives_and_keeps_the_details(
    client, now, clinic_schedule, book, dr_shah, sam
):
    review = walk_to_review(client)
    book(at(TUESDAY, 10), dr_shah, details=details(email="first@example.org"))
    book(at(TUESDAY, 10), sam, details=details(email="second@example.org"))
    response = confirm(client, review)
    assert response.status_code == 409
    body = response.content.decode()
    assert "no longer available" in body
    alternatives = [i["value"] for i in soup(response).find_all("input", attrs={"name": "slot"})]
    assert alternatives
    # Choosing an alternative goes straight back to the review, details intact.
    assert client.post("/book/times/", {"slot": alternatives[0]})["Location"] == "/book/review/"
    assert confirm(client, client.get("/book/review/"))["Location"] == "/book/confirmed/"
    assert Appointment.objects.filter(patient__email="pat@example.org").count() == 1


def test_B1_booking_without_a_csrf_token_is_refused_and_stores_nothing(now, clinic_schedule):
    client = Client(enforce_csrf_checks=True)
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    assert client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()}).status_code == 403
    assert Appointment.objects.count() == 0
    assert Outbox.objects.count() == 0


def test_the_confirmation_page_is_only_for_the_browser_that_booked(client, now, clinic_schedule):
    confirm(client, walk_to_review(client))
    assert Client().get("/book/confirmed/").status_code == 404
    assert Client().get("/book/confirmed/calendar.ics").status_code == 404


def test_booking_pages_cost_a_bounded_number_of_queries(client, now, clinic_schedule, django_assert_max_num_queries):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    with django_assert_max_num_queries(10):
        assert client.get("/book/times/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/book/").status_code == 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(max_size=200),
    email=st.one_of(st.emails(), st.text(max_size=60)),
    phone=st.text(max_size=30),
    notes=st.text(max_size=3000),
)
def test_E1_any_input_to_the_details_form_is_answered_without_a_server_error(
    client, now, clinic_schedule, name, email, phone, notes
):
    """E1: never a 500; invalid input is a form error and stores nothing."""
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    response = client.post("/book/details/", {**DETAILS, "name": name, "email": email, "phone": phone, "notes": notes})
    assert response.status_code in {200, 302}
    assert Patient.objects.count() == 0
