"""Hostile parameters and bodies never reach a 500, and only what mail can go to is stored (E5, J10, J11)."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.lib.addresses import clean_address
from clinic.models import Appointment, Outbox, Patient
from clinic.staff import roles
from tests.clinic.booking.flow import ANSWERS, DETAILS, confirm
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = ["\x00", "a\x00b", "\x1b[31m", "9999-12-31", "0001-01-01", "99999", "abc", "", "💥" * 50]
# Public pages and the query parameters they read.
PUBLIC = {
    "/search/": ["q"],
    "/book/": ["treatment", "consultation_type", "practitioner"],
    "/book/times/": ["week", "first"],
    "/milia/": ["q"],
}
UNDELIVERABLE = ['"a,b"@example.org', '"<x>"@example.org', "İnfo@example.org", "pat@exa\u200bmple.org", "pat @x.org"]


def start_booking(client):
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})


@pytest.mark.parametrize("value", HOSTILE_VALUES)
@pytest.mark.parametrize(("path", "names"), list(PUBLIC.items()))
def test_J10_hostile_query_values_on_public_pages_get_a_page_or_a_400(client, now, clinic_schedule, path, names, value):
    start_booking(client)
    for name in names:
        response = client.get(path, {name: value})
        assert response.status_code in (200, 302, 400), (path, name, value, response.status_code)
        if "\x00" in value or "\x1b" in value:
            assert response.status_code == 400


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30", "\x00"])
def test_J10_dates_at_the_ends_of_the_calendar_on_the_move_page_and_staff_pages(
    client, book, dr_shah, staff_client, settings, value
):
    from clinic.booking import services as booking
    from tests.helpers import manage_token

    appointment = book(at(TUESDAY, 10), dr_shah)
    token = manage_token(appointment)
    assert client.get(f"/manage/{token}/move/", {"week": value}).status_code in (200, 400)
    staff = staff_client(roles.RECEPTION)
    admin = f"/{settings.ADMIN_URL}"
    assert staff.get(f"{admin}agenda/", {"day": value}).status_code in (400, 404)
    if "\x00" not in value:
        assert staff.get(f"{admin}agenda/{value}/").status_code == 404
    exported = staff.get(f"{admin}appointments.csv", {"first_day": "2026-12-01", "last_day": value})
    assert exported.status_code in (200, 400) and not exported.get("Content-Disposition")
    assert booking.appointment_for_token(token, now=appointment.created_at) is not None  # nothing changed


@pytest.mark.parametrize("address", UNDELIVERABLE)
def test_J10_an_address_mail_cannot_go_to_is_a_form_error_at_the_details_step(client, now, clinic_schedule, address):
    start_booking(client)
    response = client.post("/book/details/", {**DETAILS, "email": address})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter an email address like name@example.org" in page or "remove the special characters" in page
    assert Patient.objects.count() == 0 and Outbox.objects.count() == 0


def test_J10_a_zero_width_space_does_not_make_a_second_patient(client, now, clinic_schedule, book):
    book(at(TUESDAY, 11))
    start_booking(client)
    response = client.post("/book/details/", {**DETAILS, "email": "pat@exa\u200bmple.org"})
    assert response.status_code == 200 and Patient.objects.count() == 1


def test_J10_the_confirming_step_books_an_address_the_outbox_accepts(client, now, clinic_schedule):
    start_booking(client)
    client.post("/book/details/", {**DETAILS, "email": "  Pat.O'Neil+skin@Example.ORG "})
    client.post("/book/questions/", ANSWERS)
    assert confirm(client, client.get("/book/review/")).status_code == 302
    patient = Appointment.objects.get().patient
    assert patient.email == "pat.o'neil+skin@example.org"
    assert Outbox.objects.filter(recipient=patient.email, kind="booking_confirmed").exists()


def test_J11_a_body_over_the_cap_is_refused_from_its_length_without_being_read(client, now, clinic_schedule):
    """A 100 MB Content-Length is answered 413 at once: the view never runs, nothing is read or stored."""
    start_booking(client)
    response = client.generic(
        "POST",
        "/book/details/",
        b"name=Pat",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "too much to send" in response.content.decode()
    assert Patient.objects.count() == 0


def test_J11_a_content_length_that_is_not_a_number_is_a_400(client):
    response = client.generic("POST", "/book/", b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400


# --- E5: addresses and phone numbers -------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(address=st.emails())
def test_E5_every_address_the_form_keeps_is_one_the_outbox_sends_to(address):
    """Whatever a patient types, the form's answer and the outbox's agree (hypothesis emails())."""
    from django.core.exceptions import ValidationError

    from clinic.mail import outbox

    try:
        kept = clean_address(address)
    except ValidationError:
        with pytest.raises(outbox.InvalidRecipient):
            outbox.clean_recipient(address)
        return
    assert kept == kept.strip().lower() and outbox.clean_recipient(kept) == kept
    assert clean_address(kept.upper()) == kept  # one patient per address, whatever the case


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    phone=st.one_of(
        st.sampled_from(["07911 123456", "07911123456", "+44 7911 123456", "+447911123456", "(07911) 123-456"]),
        st.text(alphabet="0123456789 +()-", max_size=20),
    )
)
def test_E5_phone_numbers_are_stored_in_international_form_or_refused(now, clinic_schedule, phone):
    client = Client()
    start_booking(client)
    response = client.post("/book/details/", {**DETAILS, "phone": phone})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        stored = client.session["booking"]["details"]["phone"]
        assert stored.startswith("+") and stored[1:].isdigit()
    else:
        assert "is-invalid" in soup(response).find(id="id_phone")["class"]
    assert Patient.objects.count() == 0
