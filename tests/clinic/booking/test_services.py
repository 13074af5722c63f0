"""The booking functions: book, cancel, move — each one transaction, never a double booking."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from clinic.booking import services as booking
from clinic.booking.services import SlotUnavailable, TooLateToChange
from clinic.lib import tokens
from clinic.models import Appointment, Outbox, Patient
from tests.clinic_fixtures import NOW, TUESDAY, at, details
from tests.helpers import manage_token

pytestmark = pytest.mark.django_db

# Far enough ahead for the reminder (48 hours before) to be sent.
THURSDAY = TUESDAY + datetime.timedelta(days=2)


def pending_kinds(appointment):
    return sorted(
        Outbox.objects.filter(cause=booking.cause_of(appointment), status=Outbox.Status.PENDING).values_list(
            "kind", flat=True
        )
    )


def test_E3_booking_recomputes_the_end_and_holds_the_buffer(book, dr_shah, consultation):
    appointment = book(at(TUESDAY, 10), dr_shah)
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.ends_at == at(TUESDAY, 10, 30)
    assert appointment.blocks_until == at(TUESDAY, 10, 40)
    assert appointment.questionnaire.cold_sores == "no"
    assert appointment.privacy_notice_version == "2026-11"
    assert len(appointment.reference) == 10


def test_G2_booking_queues_the_confirmation_and_a_reminder_before_the_change_cut_off(book, dr_shah):
    appointment = book(at(THURSDAY, 10), dr_shah)
    assert pending_kinds(appointment) == ["booking_confirmed", "booking_reminder"]
    reminder = Outbox.objects.get(cause=booking.cause_of(appointment), kind="booking_reminder")
    assert reminder.send_after == at(THURSDAY, 10) - datetime.timedelta(hours=48)
    confirmation = Outbox.objects.get(cause=booking.cause_of(appointment), kind="booking_confirmed")
    assert confirmation.recipient == "pat@example.org"


def test_a_booking_made_after_its_reminder_time_gets_no_reminder(book, dr_shah):
    assert pending_kinds(book(at(TUESDAY, 10), dr_shah)) == ["booking_confirmed"]  # 26 hours ahead
    appointment = book(at(TUESDAY, 9), dr_shah, now=at(NOW.date(), 16))
    assert pending_kinds(appointment) == ["booking_confirmed"]


def test_F6_the_same_idempotency_key_books_once(book, dr_shah):
    first = book(at(TUESDAY, 10), dr_shah, idempotency_key="double-submit-key-0001")
    second = book(at(TUESDAY, 10), dr_shah, idempotency_key="double-submit-key-0001")
    assert first.pk == second.pk
    assert Appointment.objects.count() == 1
    assert Outbox.objects.filter(kind="booking_confirmed").count() == 1


def test_a_taken_slot_is_refused_with_the_nearest_alternatives(book, dr_shah):
    book(at(TUESDAY, 10), dr_shah)
    with pytest.raises(SlotUnavailable) as refused:
        book(at(TUESDAY, 10), dr_shah)
    assert [s.start for s in refused.value.alternatives] == [at(TUESDAY, 9), at(TUESDAY, 9, 15), at(TUESDAY, 10, 45)]
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "starts_at",
    [
        at(NOW.date(), 7),  # in the past
        at(TUESDAY, 7),  # before opening
        at(TUESDAY, 12, 45),  # lunch break
        at(TUESDAY, 16, 45),  # would end after closing
        at(TUESDAY, 10, 7),  # not on the slot grid
        at(NOW.date() + datetime.timedelta(days=5), 10),  # Saturday
        at(NOW.date() + datetime.timedelta(days=90), 10),  # beyond the horizon
        at(NOW.date(), 9),  # inside the minimum notice
    ],
)
def test_E3_a_time_outside_the_bookable_hours_is_refused(book, dr_shah, starts_at):
    with pytest.raises(SlotUnavailable):
        book(starts_at, dr_shah)
    assert Appointment.objects.count() == 0
    assert Patient.objects.count() == 0
    assert Outbox.objects.count() == 0


def test_no_preference_books_whoever_is_free(book, dr_shah, sam):
    first = book(at(TUESDAY, 10))
    second = book(at(TUESDAY, 10))
    assert {first.practitioner, second.practitioner} == {dr_shah, sam}
    with pytest.raises(SlotUnavailable):
        book(at(TUESDAY, 10))


def test_J1_a_booking_with_a_known_address_never_changes_the_patients_record(book, dr_shah, staff_client, settings):
    """Anyone can type anyone's address: the new details wait on the appointment for staff to confirm."""
    from clinic.staff import roles

    victims = book(at(TUESDAY, 10), dr_shah)
    given = {"name": "Mallory Attacker", "phone": "+447700900999", "date_of_birth": datetime.date(1970, 1, 1)}
    attackers = book(
        at(TUESDAY, 11), dr_shah, details=details(email="PAT@Example.ORG", marketing_consent=True, **given)
    )
    patient = Patient.objects.get()
    assert (patient.name, patient.phone, patient.date_of_birth, patient.marketing_consent) == (
        "Pat Example",
        "+447911123456",
        datetime.date(1990, 5, 17),
        False,
    )
    assert attackers.patient == patient and attackers.details_to_confirm and not victims.details_to_confirm
    assert [field for field, _, _ in attackers.given_details_differences()] == [
        "name",
        "phone",
        "date_of_birth",
        "marketing_consent",
    ]
    reception = staff_client(roles.RECEPTION)
    page = reception.get(f"/{settings.ADMIN_URL}clinic/appointment/{victims.pk}/change/").content.decode()
    assert "Pat Example" in page and "Mallory" not in page
    listed = reception.get(f"/{settings.ADMIN_URL}clinic/appointment/?details_to_confirm__exact=1").content.decode()
    assert attackers.reference in listed and victims.reference not in listed


def test_J1_staff_use_or_keep_the_details_given_at_booking(book, dr_shah, staff_client, settings):
    from clinic.staff import roles

    book(at(TUESDAY, 10), dr_shah)
    moved_house = book(at(TUESDAY, 11), dr_shah, details=details(phone="+447700900111"))
    page = f"/{settings.ADMIN_URL}clinic/appointment/{moved_house.pk}/"
    reception = staff_client(roles.RECEPTION)
    assert "Use the details given at booking" in reception.get(page + "change/").content.decode()
    assert reception.get(page + "given-details/").status_code == 302  # a GET changes nothing
    assert Patient.objects.get().phone == "+447911123456"
    reception.post(page + "given-details/", {"choice": "apply"})
    patient = Patient.objects.get()
    assert patient.phone == "+447700900111" and patient.name == "Pat Example"
    assert "confirmed by staff" in patient.history.first().history_change_reason
    moved_house.refresh_from_db()
    assert not moved_house.details_to_confirm
    other = book(at(TUESDAY, 12), dr_shah, details=details(name="Someone Else"))
    reception.post(f"/{settings.ADMIN_URL}clinic/appointment/{other.pk}/given-details/", {"choice": "keep"})
    other.refresh_from_db()
    assert not other.details_to_confirm and Patient.objects.get().name == "Pat Example"


def test_D1_the_manage_token_is_long_random_and_stored_only_as_a_digest(
    book, dr_shah, django_capture_on_commit_callbacks
):
    appointment = book(at(TUESDAY, 10), dr_shah)
    stored = Outbox.objects.get(kind="booking_confirmed").body_text
    assert f"/manage/{booking.MANAGE_LINK_PLACEHOLDER}/" in stored  # no working link at rest
    token = manage_token(appointment)
    assert len(token) >= 43 and token not in stored
    assert list(appointment.manage_links.values_list("token_hash", flat=True)) == [tokens.digest(token)]
    assert booking.appointment_for_token(token, now=NOW) == appointment
    assert len({tokens.new_token() for _ in range(10_000)}) == 10_000


def test_G2_cancelling_drops_the_reminder_and_tells_the_patient(book, dr_shah, now):
    appointment = book(at(THURSDAY, 10), dr_shah)
    booking.cancel_appointment(appointment=appointment, by_clinic=False, now=now)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT
    assert not appointment.manage_links.exists()
    assert pending_kinds(appointment) == ["booking_cancelled"]
    assert Outbox.objects.get(kind="booking_reminder").status == Outbox.Status.CANCELLED


def test_patients_cannot_change_online_inside_the_cut_off(book, dr_shah, now):
    appointment = book(at(TUESDAY, 10), dr_shah)
    late = at(TUESDAY, 9)
    with pytest.raises(TooLateToChange):
        booking.cancel_appointment(appointment=appointment, by_clinic=False, now=late)
    booking.cancel_appointment(appointment=appointment, by_clinic=True, now=late)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_CLINIC


def test_G2_moving_replaces_the_pending_emails_and_the_link(book, dr_shah, now):
    appointment = book(at(THURSDAY, 10), dr_shah)
    old_token = manage_token(appointment)
    moved = booking.reschedule_appointment(appointment=appointment, starts_at=at(THURSDAY, 14), now=now)
    assert (moved.starts_at, moved.ends_at, moved.blocks_until) == (
        at(THURSDAY, 14),
        at(THURSDAY, 14, 30),
        at(THURSDAY, 14, 40),
    )
    assert pending_kinds(moved) == ["booking_reminder", "booking_rescheduled"]
    assert booking.appointment_for_token(old_token, now=now) is None  # the old link stops working
    assert booking.appointment_for_token(manage_token(moved), now=now) == moved
    reminder = Outbox.objects.get(kind="booking_reminder", status=Outbox.Status.PENDING)
    assert reminder.send_after == at(THURSDAY, 14) - datetime.timedelta(hours=48)


def test_moving_into_a_taken_time_changes_nothing(book, dr_shah, now):
    appointment = book(at(THURSDAY, 10), dr_shah)
    book(at(THURSDAY, 14), dr_shah)
    with pytest.raises(SlotUnavailable):
        booking.reschedule_appointment(appointment=appointment, starts_at=at(THURSDAY, 14), now=now)
    appointment.refresh_from_db()
    assert appointment.starts_at == at(THURSDAY, 10)
    assert pending_kinds(appointment) == ["booking_confirmed", "booking_reminder"]


def test_moving_a_little_later_may_overlap_its_own_old_time(book, dr_shah, now):
    appointment = book(at(TUESDAY, 10), dr_shah)
    moved = booking.reschedule_appointment(appointment=appointment, starts_at=at(TUESDAY, 10, 15), now=now)
    assert moved.starts_at == at(TUESDAY, 10, 15)


def make(appointment_like, **changes):
    values = {f.attname: getattr(appointment_like, f.attname) for f in Appointment._meta.concrete_fields}
    values.update(
        pk=None,
        id=None,
        reference=Appointment._meta.get_field("reference").default(),
        idempotency_key=None,
        **changes,
    )
    return Appointment(**values)


@pytest.mark.postgres
def test_F3_the_database_refuses_overlaps_but_allows_adjacent_cancelled_and_other_practitioners(
    book, dr_shah, sam, on_postgres
):
    """F3: the exclusion constraint's semantics, straight at the database."""
    base = book(at(TUESDAY, 10), dr_shah)
    adjacent = make(base, starts_at=at(TUESDAY, 10, 40), ends_at=at(TUESDAY, 11, 10), blocks_until=at(TUESDAY, 11, 20))
    adjacent.save()
    overlapping = make(
        base, starts_at=at(TUESDAY, 10, 15), ends_at=at(TUESDAY, 10, 45), blocks_until=at(TUESDAY, 10, 55)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        overlapping.save()
    make(
        base,
        starts_at=at(TUESDAY, 10, 15),
        ends_at=at(TUESDAY, 10, 45),
        blocks_until=at(TUESDAY, 10, 55),
        status=Appointment.Status.CANCELLED_BY_CLINIC,
    ).save()
    make(
        base,
        practitioner_id=sam.pk,
        starts_at=at(TUESDAY, 10, 15),
        ends_at=at(TUESDAY, 10, 45),
        blocks_until=at(TUESDAY, 10, 55),
    ).save()
    assert Appointment.objects.active().filter(practitioner=dr_shah).count() == 2


def test_F3_the_same_start_twice_is_refused_on_any_database(book, dr_shah):
    base = book(at(TUESDAY, 10), dr_shah)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(base).save()
