"""Appointments in the admin: the list reception works from, its actions, and moving a booking."""

import datetime
import threading

import pytest
import time_machine
from django.test import Client

from clinic.models import Appointment, Outbox, Patient
from clinic.staff import roles
from tests.clinic_fixtures import NOW, TUESDAY, at
from tests.helpers import soup
from tests.staff_fixtures import make_staff, sign_in

pytestmark = pytest.mark.django_db

Status = Appointment.Status
WEDNESDAY = TUESDAY + datetime.timedelta(days=1)


@pytest.fixture
def changelist(settings):
    return f"/{settings.ADMIN_URL}clinic/appointment/"


def many_appointments(n, practitioner, consultation, first=NOW):
    """n appointments half an hour apart, each with its own patient (bulk: no emails)."""
    patients = Patient.objects.bulk_create(
        Patient(name=f"Patient {i}", email=f"p{i}@example.org", phone=f"+4479111{i:05d}") for i in range(n)
    )
    rows = []
    for i, patient in enumerate(patients):
        start = first + datetime.timedelta(minutes=30 * i)
        rows.append(
            Appointment(
                patient=patient,
                practitioner=practitioner,
                consultation_type=consultation,
                starts_at=start,
                ends_at=start + datetime.timedelta(minutes=25),
                blocks_until=start + datetime.timedelta(minutes=30),
                privacy_notice_version="test",
                consented_at=first,
            )
        )
    return Appointment.objects.bulk_create(rows)


def rows(response):
    return soup(response).select("#result_list tbody tr")


def test_the_list_of_200_appointments_costs_a_fixed_number_of_queries(
    reception, changelist, dr_shah, consultation, now, django_assert_max_num_queries
):
    many_appointments(200, dr_shah, consultation)
    with django_assert_max_num_queries(16):
        response = reception.get(changelist, {"all": ""})
    assert response.status_code == 200
    assert len(rows(response)) == 200  # "Show all": every row on one page, still the same queries


def test_the_list_shows_a_status_badge_patient_and_practitioner(reception, changelist, book):
    appointment = book(at(TUESDAY, 10))
    row = rows(reception.get(changelist))[0]
    assert row.select_one(".status-badge.status-booked").get_text() == "Booked"
    assert "Pat Example" in row.get_text() and "Dr Amira Shah" in row.get_text()
    assert appointment.reference in row.get_text()


def test_today_and_tomorrow_filters_use_the_clinic_day(reception, changelist, dr_shah, consultation, now):
    many_appointments(1, dr_shah, consultation)
    many_appointments(1, dr_shah, consultation, first=at(TUESDAY, 9))
    many_appointments(1, dr_shah, consultation, first=at(TUESDAY + datetime.timedelta(days=7), 9))

    def references(when):
        return {r.select_one("th a").get_text() for r in rows(reception.get(changelist, {"when": when}))}

    assert len(rows(reception.get(changelist, {"when": "today"}))) == 1
    assert len(rows(reception.get(changelist, {"when": "tomorrow"}))) == 1
    assert len(rows(reception.get(changelist, {"when": "week"}))) == 2
    assert references("today") != references("tomorrow")


@pytest.mark.parametrize("query", ["REFERENCE", "Pat Exam", "pat@example.org", "+447911123456"])
def test_reception_finds_an_appointment_by_reference_name_email_or_phone(reception, changelist, book, query):
    appointment = book(at(TUESDAY, 10))
    query = appointment.reference if query == "REFERENCE" else query
    found = rows(reception.get(changelist, {"q": query}))
    assert len(found) == 1 and appointment.reference in found[0].get_text()
    assert rows(reception.get(changelist, {"q": "nobody-like-this"})) == []


def test_filters_by_practitioner_status_and_consultation_type_are_offered(reception, changelist, book):
    book(at(TUESDAY, 10))
    filters = soup(reception.get(changelist)).select_one("#changelist-filter").get_text()
    for title in ("By when", "By practitioner", "By status", "By consultation type"):
        assert title in filters


def act(client, changelist, action, appointments, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in appointments], **extra}
    return client.post(changelist, data, follow=True)


def test_marking_attended_drops_the_reminder(staff_client, changelist, book):
    day = TUESDAY + datetime.timedelta(days=2)  # far enough ahead for a reminder
    appointment = book(at(day, 10))
    with time_machine.travel(at(day, 10, 5), tick=False):
        response = act(staff_client(roles.RECEPTION), changelist, "mark_attended", [appointment])
    assert "1 appointment(s) marked attended." in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.ATTENDED
    reminder = Outbox.objects.get(kind="booking_reminder", cause=f"appointment:{appointment.pk}")
    assert reminder.status == Outbox.Status.CANCELLED


def test_marking_no_show_leaves_cancelled_and_future_appointments_alone(staff_client, changelist, book, now):
    from clinic.booking.services import cancel_appointment

    kept = book(at(TUESDAY, 10))
    later = book(at(TUESDAY, 14))
    cancelled = cancel_appointment(appointment=book(at(TUESDAY, 11)), by_clinic=True, now=now)
    with time_machine.travel(at(TUESDAY, 11, 30), tick=False):
        response = act(staff_client(roles.RECEPTION), changelist, "mark_no_show", [kept, cancelled, later])
    message = "1 appointment(s) marked did not attend. 1 not started yet, left alone. 1 cancelled, left alone."
    assert message in response.content.decode()
    assert Appointment.objects.get(pk=later.pk).status == Status.BOOKED
    assert Appointment.objects.get(pk=kept.pk).status == Status.NO_SHOW
    assert Appointment.objects.get(pk=cancelled.pk).status == Status.CANCELLED_BY_CLINIC


def test_cancelling_asks_for_a_reason_then_tells_the_patient(reception, changelist, book):
    appointment = book(at(TUESDAY, 10))
    confirm = act(reception, changelist, "cancel_with_notice", [appointment])
    assert "Cancel these appointments" in confirm.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED  # nothing yet

    response = act(reception, changelist, "cancel_with_notice", [appointment], confirm="yes", reason="Doctor unwell")
    assert "1 appointment(s) cancelled; each patient has been emailed." in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.CANCELLED_BY_CLINIC
    notice = Outbox.objects.get(kind="booking_cancelled")
    assert notice.recipient == "pat@example.org" and "Doctor unwell" in notice.body_text
    assert not Outbox.objects.filter(kind="booking_reminder", status=Outbox.Status.PENDING).exists()


def test_resending_the_confirmation_queues_it_with_a_fresh_manage_link(reception, changelist, book):
    from clinic.booking import services as booking
    from tests.helpers import manage_token

    appointment = book(at(TUESDAY, 10))
    old_token = manage_token(appointment)
    response = act(reception, changelist, "resend_confirmation", [appointment])
    assert "Confirmation sent again for 1 appointment(s)" in response.content.decode()
    assert Outbox.objects.filter(kind="booking_confirmed", cause=f"appointment:{appointment.pk}").count() == 2
    assert booking.appointment_for_token(old_token, now=appointment.created_at) is None
    assert booking.appointment_for_token(manage_token(appointment), now=appointment.created_at) is not None


def test_a_viewer_without_change_permission_gets_no_actions(staff_client, changelist, book, now):
    appointment = book(at(TUESDAY, 10))
    viewer = staff_client(perms=["view_appointment"])
    assert soup(viewer.get(changelist)).find("select", attrs={"name": "action"}) is None
    act(viewer, changelist, "mark_attended", [appointment])
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED


# --- Moving an appointment -------------------------------------------------------


def move_url(settings, appointment):
    return f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/move/"


def test_reception_moves_an_appointment_and_the_patient_is_told(reception, settings, book, dr_shah):
    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    change_page = reception.get(f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/change/")
    assert soup(change_page).find("a", href=move_url(settings, appointment))
    data = {"practitioner": dr_shah.pk, "day": WEDNESDAY.isoformat(), "time": "14:00"}
    response = reception.post(move_url(settings, appointment), data, follow=True)
    assert "moved; the patient has been emailed the new time" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.starts_at == at(WEDNESDAY, 14)
    assert Outbox.objects.filter(kind="booking_rescheduled", cause=f"appointment:{appointment.pk}").count() == 1


def test_moving_onto_a_taken_time_is_a_form_error_with_alternatives(reception, settings, book, dr_shah):
    book(at(WEDNESDAY, 14), practitioner=dr_shah)
    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    data = {"practitioner": dr_shah.pk, "day": WEDNESDAY.isoformat(), "time": "14:00"}
    response = reception.post(move_url(settings, appointment), data)
    assert response.status_code == 200
    page = soup(response)
    assert "That time is not available." in page.select_one(".errornote").get_text()
    assert len(page.select(".alternatives li")) == 3
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(TUESDAY, 10)


@pytest.mark.parametrize(
    ("day", "time"), [(WEDNESDAY.isoformat(), "20:00"), ("9999-12-31", "10:00"), ("0001-01-01", "00:00")]
)
def test_E3_J10_moving_outside_working_hours_or_the_calendar_is_refused(reception, settings, book, dr_shah, day, time):
    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    data = {"practitioner": dr_shah.pk, "day": day, "time": time}
    response = reception.post(move_url(settings, appointment), data)
    assert response.status_code == 200 and "not available" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the migrations' roles and pages
def test_F4_two_staff_moving_two_appointments_into_one_slot_at_once_one_wins(
    on_postgres, settings, book, dr_shah, django_user_model
):
    """RELIABILITY F4: one saves, the other sees a form error; never a 500."""
    first = book(at(TUESDAY, 10), practitioner=dr_shah)
    second = book(at(TUESDAY, 11), practitioner=dr_shah)
    clients = []
    for name in ("desk-a", "desk-b"):
        user = make_staff(django_user_model, name, role=roles.RECEPTION)
        clients.append(sign_in(Client(raise_request_exception=False), user))
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def move(client, appointment):
        from django.db import connection

        barrier.wait()
        data = {"practitioner": dr_shah.pk, "day": WEDNESDAY.isoformat(), "time": "15:00"}
        results[appointment.pk] = client.post(move_url(settings, appointment), data)
        connection.close()

    threads = [threading.Thread(target=move, args=pair) for pair in zip(clients, (first, second), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [200, 302]  # one form error page, one redirect after saving
    moved = Appointment.objects.filter(starts_at=at(WEDNESDAY, 15))
    assert moved.count() == 1
