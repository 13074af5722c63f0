"""Booking for a patient at the front desk: the online booking's function, constraint, questions and emails."""

import datetime

import pytest

from clinic.booking.services import cause_of
from clinic.models import Appointment, Outbox, Patient, Questionnaire
from clinic.staff import roles
from tests.clinic_fixtures import ANSWERS, NOW, TUESDAY, at
from tests.helpers import soup

pytestmark = pytest.mark.django_db
THURSDAY = TUESDAY + datetime.timedelta(days=2)

MONDAY = NOW.date()
TYPE = "milia-consultation"  # 30 minutes and a 10-minute buffer


@pytest.fixture
def desk_url(settings):
    return f"/{settings.ADMIN_URL}desk/book/"


@pytest.fixture
def patient(db):
    return Patient.objects.create(
        name="Jo Caller", email="jo@example.org", phone="+447700900123", date_of_birth=datetime.date(1980, 1, 2)
    )


def utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%MZ")


def slot_value(practitioner, moment):
    return f"{practitioner.pk}|{moment.astimezone(datetime.UTC).isoformat()}"


def booking_page(client, desk_url, patient, practitioner, moment, **extra):
    params = {"patient": patient.pk, "practitioner": practitioner.pk, "start": utc(moment), "type": TYPE, **extra}
    return client.get(desk_url, params)


def confirm(client, desk_url, patient, practitioner, moment, *, notify=True, **extra):
    """Open the page for a time, then confirm it with the six answers, as the form would post."""
    page = soup(booking_page(client, desk_url, patient, practitioner, moment))
    key = page.find("input", attrs={"name": "idempotency_key"})["value"]
    data = {**ANSWERS, "slot": slot_value(practitioner, moment), "privacy_told": "on", "idempotency_key": key, **extra}
    if notify:
        data["notify"] = "on"
    query = f"?patient={patient.pk}&practitioner={practitioner.pk}&start={utc(moment)}&type={TYPE}"
    return client.post(desk_url + query, data)


@pytest.mark.parametrize(
    "query", ["Jo Call", "JO@EXAMPLE.ORG", "07700 900123", "07700900123", "+44 7700 900123", "+447700900123"]
)
def test_the_patient_is_found_by_name_email_or_phone_in_any_format(reception, desk_url, patient, query):
    page = soup(reception.get(desk_url, {"q": query}))
    links = [a["href"] for a in page.select(".desk-results a")]
    assert links == [f"{desk_url}?patient={patient.pk}"]


def test_an_erased_patient_is_never_found(reception, desk_url, patient, now):
    patient.erased_at = now
    patient.save()
    assert soup(reception.get(desk_url, {"q": "Jo Call"})).select(".desk-results a") == []


def test_a_new_patient_is_added_with_a_normalised_phone_and_the_clicked_time_kept(
    reception, settings, desk_url, dr_shah
):
    start = utc(at(TUESDAY, 10))
    data = {
        "name": "New Caller",
        "email": "new@example.org",
        "phone": "07911 123456",
        "date_of_birth": "1975-03-04",
        "practitioner": dr_shah.pk,
        "start": start,
    }
    response = reception.post(f"{desk_url}new-patient/", data)
    patient = Patient.objects.get(email="new@example.org")
    assert patient.phone == "+447911123456"
    assert response["Location"] == f"{desk_url}?practitioner={dr_shah.pk}&start={start}&patient={patient.pk}"
    assert patient.history.get().history_change_reason == f"Added at the front desk by {reception.user.username}"


def test_a_new_patient_with_a_known_email_is_a_form_error(reception, desk_url, patient):
    data = {"name": "Jo Again", "email": "jo@example.org", "phone": "07911 123456", "date_of_birth": "1980-01-02"}
    response = reception.post(f"{desk_url}new-patient/", data)
    assert response.status_code == 200 and "already exists" in response.content.decode()
    assert Patient.objects.count() == 1


def test_the_clicked_time_is_chosen_among_the_days_real_free_times(reception, desk_url, patient, book, dr_shah):
    book(at(TUESDAY, 11), practitioner=dr_shah)
    page = soup(booking_page(reception, desk_url, patient, dr_shah, at(TUESDAY, 10, 15)))
    radios = page.select("input[name=slot]")
    times = {r.find_next("label").get_text() for r in radios}
    assert "10:15" in times and "11:00" not in times and "10:45" not in times  # 11:00 taken, 10:45 runs into it
    checked = page.select_one("input[name=slot][checked]")
    assert checked["value"] == slot_value(dr_shah, at(TUESDAY, 10, 15))


def test_reception_books_with_the_questions_and_emails_as_online(reception, desk_url, patient, dr_shah):
    # Thursday: far enough ahead for the reminder (48 hours before), as an online booking would get.
    response = confirm(reception, desk_url, patient, dr_shah, at(THURSDAY, 10))
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/appointment/{appointment.pk}/change/")
    assert (appointment.patient, appointment.practitioner, appointment.starts_at) == (
        patient,
        dr_shah,
        at(THURSDAY, 10),
    )
    assert appointment.ends_at == at(THURSDAY, 10, 30) and appointment.blocks_until == at(THURSDAY, 10, 40)
    assert Questionnaire.objects.get(appointment=appointment).cold_sores == "no"
    kinds = set(Outbox.objects.filter(cause=cause_of(appointment)).values_list("kind", flat=True))
    assert kinds == {"booking_confirmed", "booking_reminder"}
    assert not appointment.details_to_confirm
    reason = appointment.history.get().history_change_reason
    assert reason == f"Booked at the front desk by {reception.user.username}"


def test_unticking_email_books_without_a_single_outbox_row(reception, desk_url, patient, dr_shah):
    confirm(reception, desk_url, patient, dr_shah, at(TUESDAY, 10), notify=False)
    appointment = Appointment.objects.get()
    assert not Outbox.objects.filter(cause=cause_of(appointment)).exists()
    assert not Outbox.objects.exists()
    assert appointment.history.get().history_change_reason.endswith("; patient not emailed")


def test_the_privacy_notice_and_the_answers_are_required(reception, desk_url, patient, dr_shah):
    response = confirm(reception, desk_url, patient, dr_shah, at(TUESDAY, 10), privacy_told="", cold_sores="")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Tell the patient about the privacy notice" in text and "Answer the question" in text
    assert not Appointment.objects.exists()


def test_reception_overrides_the_minimum_notice_and_history_says_so(reception, desk_url, patient, dr_shah):
    """At 08:00 a same-day 10:00 is inside the 12 hours' notice: bookable at the desk, recorded as an override."""
    page = soup(booking_page(reception, desk_url, patient, dr_shah, at(MONDAY, 10)))
    assert page.select_one("input[name=slot][checked]")
    confirm(reception, desk_url, patient, dr_shah, at(MONDAY, 10))
    appointment = Appointment.objects.get()
    assert appointment.starts_at == at(MONDAY, 10)
    reason = appointment.history.get().history_change_reason
    assert "overriding the minimum notice or online horizon" in reason


def test_reception_books_beyond_the_online_horizon(reception, desk_url, patient, dr_shah):
    far = at(TUESDAY + datetime.timedelta(weeks=13), 10)  # past the 60 days patients can see
    confirm(reception, desk_url, patient, dr_shah, far)
    assert Appointment.objects.get().starts_at == far


def test_without_the_override_permission_inside_the_notice_is_neither_offered_nor_booked(
    staff_client, desk_url, patient, dr_shah, now
):
    desk = staff_client(perms=["view_appointment", "add_appointment", "view_patient"])
    page = soup(booking_page(desk, desk_url, patient, dr_shah, at(MONDAY, 10)))
    assert page.select("input[name=slot]") == []
    response = confirm(desk, desk_url, patient, dr_shah, at(MONDAY, 10))
    assert response.status_code == 200 and not Appointment.objects.exists()


def test_a_past_time_is_never_booked_even_with_the_override(reception, desk_url, patient, dr_shah):
    response = confirm(reception, desk_url, patient, dr_shah, at(MONDAY - datetime.timedelta(days=7), 10))
    assert response.status_code == 200 and not Appointment.objects.exists()


def test_a_time_taken_meanwhile_is_a_form_error_with_the_nearest_times_one_click_each(
    reception, desk_url, patient, book, dr_shah
):
    page = soup(booking_page(reception, desk_url, patient, dr_shah, at(TUESDAY, 10)))
    key = page.find("input", attrs={"name": "idempotency_key"})["value"]
    online = book(at(TUESDAY, 10), practitioner=dr_shah)  # a patient online takes it first
    data = {**ANSWERS, "slot": slot_value(dr_shah, at(TUESDAY, 10)), "privacy_told": "on", "idempotency_key": key}
    query = f"?patient={patient.pk}&practitioner={dr_shah.pk}&start={utc(at(TUESDAY, 10))}&type={TYPE}"
    response = reception.post(desk_url + query, data)
    assert response.status_code == 200
    page = soup(response)
    assert "not available" in page.select_one(".errornote").get_text()
    buttons = page.select(".alternatives button[name=alternative]")
    assert len(buttons) == 3
    again = reception.post(desk_url + query, {**data, "alternative": buttons[0]["value"]})
    assert again.status_code == 302
    mine = Appointment.objects.exclude(pk=online.pk).get()
    assert mine.patient == patient and mine.starts_at != at(TUESDAY, 10)


def test_a_double_submit_books_once(reception, desk_url, patient, dr_shah):
    page = soup(booking_page(reception, desk_url, patient, dr_shah, at(TUESDAY, 10)))
    key = page.find("input", attrs={"name": "idempotency_key"})["value"]
    data = {**ANSWERS, "slot": slot_value(dr_shah, at(TUESDAY, 10)), "privacy_told": "on", "idempotency_key": key}
    query = f"?patient={patient.pk}&practitioner={dr_shah.pk}&type={TYPE}"  # another day shown: still books
    first = reception.post(desk_url + query, data)
    second = reception.post(desk_url + query, data)
    assert first["Location"] == second["Location"]
    assert Appointment.objects.count() == 1


def test_book_links_on_the_list_the_patient_page_and_the_agenda(reception, settings, desk_url, patient, dr_shah):
    admin = f"/{settings.ADMIN_URL}"
    assert soup(reception.get(f"{admin}clinic/appointment/")).find("a", href=desk_url)
    patient_page = soup(reception.get(f"{admin}clinic/patient/{patient.pk}/change/"))
    assert patient_page.find("a", href=f"{desk_url}?patient={patient.pk}")
    agenda = soup(reception.get(f"{admin}agenda/{TUESDAY.isoformat()}/"))
    link = agenda.find("a", href=f"{desk_url}?practitioner={dr_shah.pk}&start={utc(at(TUESDAY, 10))}")
    assert link and "book 10:00 with Dr Amira Shah" in link.get_text()


def test_a_content_editor_cannot_book_or_add_patients(staff_client, desk_url, now):
    editor = staff_client(roles.CONTENT_EDITOR)
    assert editor.get(desk_url).status_code == 403
    data = {"name": "X", "email": "x@example.org", "phone": "07911 123456", "date_of_birth": "1975-03-04"}
    assert editor.post(f"{desk_url}new-patient/", data).status_code == 403
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"start": "9999-12-31T23:59-23:59"},
        {"start": "not-a-time", "practitioner": "abc"},
        {"day": "0001-01-01"},
        {"type": "no-such-type", "practitioner": "999999"},
    ],
)
def test_J10_hostile_query_values_never_break_the_desk_page(reception, desk_url, patient, params):
    assert reception.get(desk_url, {"patient": patient.pk, **params}).status_code == 200


def test_J10_a_hostile_slot_is_a_form_error(reception, desk_url, patient, dr_shah):
    for slot in ("1|9999-12-31T23:59:59-23:59", "x|y", "", f"{dr_shah.pk}|2026-12-08T10:00"):
        data = {**ANSWERS, "slot": slot, "privacy_told": "on", "idempotency_key": "k" * 24}
        response = reception.post(f"{desk_url}?patient={patient.pk}&practitioner={dr_shah.pk}&type={TYPE}", data)
        assert response.status_code == 200, slot
    assert not Appointment.objects.exists()
