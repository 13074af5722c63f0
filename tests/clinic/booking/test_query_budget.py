"""The booking flow's query budget on PostgreSQL, step by step (issue 17, item 2).

Transactional tests, so every statement counts as in production (BEGIN and COMMIT included,
and no test savepoints). What each step reads: the session (one SELECT), and writes it back
(one UPDATE, no transaction of its own); the consultation type and practitioner are read once,
at step 1; a slot search is one query (practitioners with their hours, closures and bookings, in
one UNION ALL: clinic.booking.diary).
"""

import datetime

import pytest

from clinic.models import Appointment, Outbox
from tests.clinic.booking.flow import ANSWERS, DETAILS
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NEXT_TUESDAY = TUESDAY + datetime.timedelta(days=7)

# The confirming POST, new patient: session; BEGIN; slot search; patient SELECT, INSERT and its
# history; appointment INSERT and its history; questionnaire; both emails in one INSERT (which
# returns their ids); COMMIT; session UPDATE.
BOOK_NEW_PATIENT = 12
BOOK_RETURNING_PATIENT = 10  # no patient INSERT, no patient history


def walk(client, assert_queries, slot, book):
    """Every step, each within its budget; returns the booked appointment."""
    choice = {"consultation_type": "milia-consultation", "practitioner": "any"}
    steps = [
        (2, lambda: client.get("/book/", choice), 302),  # the chosen type; session INSERT
        (2, lambda: client.get("/book/times/", {"first": "1"}), 200),
        (3, lambda: client.post("/book/times/", {"slot": slot.isoformat()}), 302),
        (1, lambda: client.get("/book/details/"), 200),
        (2, lambda: client.post("/book/details/", DETAILS), 302),
        (1, lambda: client.get("/book/questions/"), 200),
        (2, lambda: client.post("/book/questions/", ANSWERS), 302),
        (1, lambda: client.get("/book/review/"), 200),
    ]
    response = None
    for budget, call, status in steps:
        with assert_queries(budget):
            response = call()
        assert response.status_code == status
    key = soup(response).find("input", attrs={"name": "idempotency_key"})["value"]
    with assert_queries(book):
        assert client.post("/book/review/", {"idempotency_key": key})["Location"] == "/book/confirmed/"
    with assert_queries(2):
        assert client.get("/book/confirmed/").status_code == 200
    return Appointment.objects.get(idempotency_key=key)


def test_the_whole_booking_costs_28_queries_and_the_confirming_post_12(
    client, now, clinic_schedule, on_postgres, django_assert_num_queries
):
    appointment = walk(client, django_assert_num_queries, at(TUESDAY, 10), BOOK_NEW_PATIENT)
    assert 2 + 2 + 3 + 1 + 2 + 1 + 2 + 1 + BOOK_NEW_PATIENT + 2 == 28  # the goal: at most 30, and 12
    assert appointment.starts_at == at(TUESDAY, 10)
    assert appointment.questionnaire.cold_sores == "yes"
    assert list(Outbox.objects.values_list("kind", flat=True)) == ["booking_confirmed"]  # too close for a reminder


def test_a_returning_patient_with_a_reminder_books_in_10_queries_and_both_emails_are_stored(
    client, now, clinic_schedule, on_postgres, django_assert_num_queries
):
    walk(client, django_assert_num_queries, at(TUESDAY, 10), BOOK_NEW_PATIENT)
    client.logout()  # a new browser's session
    appointment = walk(client, django_assert_num_queries, at(NEXT_TUESDAY, 10), BOOK_RETURNING_PATIENT)
    emails = Outbox.objects.filter(cause=f"appointment:{appointment.pk}").order_by("send_after")
    assert [(e.kind, e.send_after) for e in emails] == [
        ("booking_confirmed", now),
        ("booking_reminder", at(NEXT_TUESDAY, 10) - datetime.timedelta(hours=48)),
    ]
    assert emails[0].attachments[0]["filename"] == "appointment.ics"
    assert Appointment.objects.filter(patient=appointment.patient).count() == 2
