"""Statuses follow the clock: marked once started, undone the same clinic day; only what has not started moves."""

import datetime

import pytest
import time_machine

from clinic.booking import statuses
from clinic.models import Appointment, Outbox
from clinic.staff import roles
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup

pytestmark = pytest.mark.django_db

Status = Appointment.Status
THURSDAY = TUESDAY + datetime.timedelta(days=2)
FRIDAY = THURSDAY + datetime.timedelta(days=1)


@pytest.fixture
def appointment(book, dr_shah):
    """Thursday 10:00 with Dr Shah, booked on Monday morning (its reminder is due Tuesday 10:00, 48 hours before)."""
    return book(at(THURSDAY, 10), practitioner=dr_shah)


def change_url(settings, appointment):
    return f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/change/"


def post_status(client, settings, appointment, status):
    url = f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/status/"
    return client.post(url, {"status": status}, follow=True)


def reminder(appointment):
    return Outbox.objects.get(kind="booking_reminder", cause=f"appointment:{appointment.pk}")


@pytest.mark.parametrize("status", [Status.ATTENDED, Status.NO_SHOW])
def test_a_minute_before_the_start_marking_is_refused_by_the_server(staff_client, settings, appointment, status):
    with time_machine.travel(at(THURSDAY, 9, 59), tick=False):
        desk = staff_client(roles.RECEPTION)
        page = soup(desk.get(change_url(settings, appointment)))
        assert page.find("button", attrs={"value": "attended"}) is None  # not offered...
        response = post_status(desk, settings, appointment, status)  # ...and refused when posted anyway
    assert "Only an appointment that has started can be marked." in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED
    assert reminder(appointment).status == Outbox.Status.PENDING


@pytest.mark.parametrize("status", [Status.ATTENDED, Status.NO_SHOW])
def test_at_the_start_marking_is_offered_and_drops_the_reminder(staff_client, settings, appointment, status):
    with time_machine.travel(at(THURSDAY, 10), tick=False):
        desk = staff_client(roles.RECEPTION)
        page = soup(desk.get(change_url(settings, appointment)))
        assert page.find("button", attrs={"value": status})
        post_status(desk, settings, appointment, status)
    assert Appointment.objects.get(pk=appointment.pk).status == status
    assert reminder(appointment).status == Outbox.Status.CANCELLED


def test_the_service_refuses_to_mark_a_future_or_cancelled_appointment(appointment, book, now):
    from clinic.booking.services import cancel_appointment

    with pytest.raises(statuses.StatusNotAllowed):
        statuses.set_status(appointment=appointment, status=Status.ATTENDED, now=at(THURSDAY, 9, 59))
    cancelled = cancel_appointment(appointment=book(at(THURSDAY, 11)), by_clinic=True, now=now)
    with pytest.raises(statuses.StatusNotAllowed):
        statuses.set_status(appointment=cancelled, status=Status.NO_SHOW, now=at(THURSDAY, 12))


def test_undo_the_same_day_goes_back_to_booked_in_history_without_a_new_reminder(staff_client, settings, appointment):
    statuses.set_status(appointment=appointment, status=Status.ATTENDED, now=at(THURSDAY, 10, 5))
    with time_machine.travel(at(THURSDAY, 23, 50), tick=False):
        desk = staff_client(roles.RECEPTION)
        assert soup(desk.get(change_url(settings, appointment))).find("button", attrs={"value": "booked"})
        response = post_status(desk, settings, appointment, "booked")
        history = desk.get(f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/history/").content.decode()
    assert "is now booked" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.BOOKED
    reasons = list(appointment.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[-2:] == ["Marked attended", "Undone: was marked attended, back to booked"]
    assert desk.user.username in history
    # The reminder was due on Monday: it stays cancelled, none is queued again.
    reminders = Outbox.objects.filter(kind="booking_reminder", cause=f"appointment:{appointment.pk}")
    assert [r.status for r in reminders] == [Outbox.Status.CANCELLED]


def test_undo_is_refused_the_next_day(staff_client, settings, appointment):
    statuses.set_status(appointment=appointment, status=Status.NO_SHOW, now=at(THURSDAY, 10, 5))
    with time_machine.travel(at(FRIDAY, 0, 5), tick=False):
        desk = staff_client(roles.RECEPTION)
        assert soup(desk.get(change_url(settings, appointment))).find("button", attrs={"value": "booked"}) is None
        response = post_status(desk, settings, appointment, "booked")
    assert "can be undone" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).status == Status.NO_SHOW


def test_the_undo_action_in_the_list_reports_what_it_left_alone(staff_client, settings, appointment, book):
    other = book(at(THURSDAY, 11))
    statuses.set_status(appointment=appointment, status=Status.ATTENDED, now=at(THURSDAY, 10, 5))
    with time_machine.travel(at(THURSDAY, 12), tick=False):
        data = {"action": "undo_marking", "_selected_action": [appointment.pk, other.pk]}
        response = staff_client(roles.RECEPTION).post(f"/{settings.ADMIN_URL}clinic/appointment/", data, follow=True)
    assert (
        "1 appointment(s) back to booked. 1 not marked, or not today&#x27;s, left alone." in response.content.decode()
    )


# --- Moving ------------------------------------------------------------------------------


def move_url(settings, appointment):
    return f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/move/"


def test_move_is_not_offered_or_allowed_once_the_appointment_has_started(staff_client, settings, appointment):
    with time_machine.travel(at(THURSDAY, 10, 1), tick=False):
        desk = staff_client(roles.RECEPTION)
        assert soup(desk.get(change_url(settings, appointment))).find("a", href=move_url(settings, appointment)) is None
        assert desk.get(move_url(settings, appointment)).status_code == 302
        data = {"practitioner": appointment.practitioner_id, "day": FRIDAY.isoformat(), "time": "14:00"}
        response = desk.post(move_url(settings, appointment), data, follow=True)
    assert "has not started can be moved" in response.content.decode()
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(THURSDAY, 10)


def test_move_is_not_offered_or_allowed_on_a_cancelled_appointment(reception, settings, appointment, now):
    from clinic.booking.services import cancel_appointment

    cancel_appointment(appointment=appointment, by_clinic=True, now=now)
    assert (
        soup(reception.get(change_url(settings, appointment))).find("a", href=move_url(settings, appointment)) is None
    )
    data = {"practitioner": appointment.practitioner_id, "day": FRIDAY.isoformat(), "time": "14:00"}
    reception.post(move_url(settings, appointment), data)
    assert Appointment.objects.get(pk=appointment.pk).starts_at == at(THURSDAY, 10)


def test_the_service_refuses_to_move_an_appointment_that_has_started(appointment):
    from clinic.booking.services import SlotUnavailable, reschedule_appointment

    with pytest.raises(SlotUnavailable, match="has started"):
        reschedule_appointment(appointment=appointment, starts_at=at(FRIDAY, 14), now=at(THURSDAY, 10), by_clinic=True)


def test_moving_offers_the_nearest_free_times_as_buttons_with_any_practitioner(reception, settings, book, dr_shah, sam):
    from clinic.booking.services import cause_of

    appointment = book(at(THURSDAY, 10), practitioner=dr_shah)
    book(at(THURSDAY, 10, 45), practitioner=dr_shah)  # Dr Shah is busy soon after: Sam is free then
    page = soup(reception.get(move_url(settings, appointment)))
    buttons = page.select(".alternatives button[name=alternative]")
    assert len(buttons) == 6
    labels = [b.get_text() for b in buttons]
    assert any("Sam Okafor" in label for label in labels)
    sams = next(b for b in buttons if "Sam Okafor" in b.get_text())
    response = reception.post(move_url(settings, appointment), {"alternative": sams["value"]}, follow=True)
    assert "moved; the patient has been emailed the new time" in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.practitioner == sam
    assert Outbox.objects.filter(kind="booking_rescheduled", cause=cause_of(appointment)).count() == 1
