"""Several emails of one change stored at once (outbox.queue_emails): one INSERT, the same guarantees."""

import datetime

import pytest
from django.db import transaction

from clinic.mail import outbox
from clinic.models import Outbox

pytestmark = pytest.mark.django_db

T = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


def row(key, *, send_after=None):
    return outbox.new_row(
        to="Pat@Example.test",
        template="test_message",
        context={"name": "Pat"},
        kind="test_message",
        cause="test:1",
        idempotency_key=key,
        send_after=send_after,
        now=T,
    )


def test_two_emails_in_one_insert_and_only_the_due_new_one_handed_to_a_worker(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    with transaction.atomic():
        outbox.queue_email(
            to="pat@example.test", template="test_message", context={}, kind="test_message", cause="test:0",
            idempotency_key="old", now=T,
        )  # fmt: skip
    before = Outbox.objects.get(idempotency_key="old")
    later = T + datetime.timedelta(days=2)
    # The INSERT and the SELECT of the rows: no existence check, no savepoint.
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic(), django_assert_num_queries(2):
        stored = outbox.queue_emails([row("now"), row("later", send_after=later), row("old")], now=T)
    assert [r.idempotency_key for r in stored] == ["now", "later", "old"]
    assert stored[2].pk == before.pk and stored[2].message_id == before.message_id  # kept, not replaced
    assert stored[0].recipient == "pat@example.test" and stored[0].subject
    assert (stored[1].send_after, stored[1].next_attempt_at) == (later, later)
    assert Outbox.objects.count() == 3
    assert len(callbacks) == 1  # the due new one only: not the later one, not the one stored before


def test_a_rollback_drops_them_all():
    try:
        with transaction.atomic():
            outbox.queue_emails([row("a"), row("b")], now=T)
            raise RuntimeError
    except RuntimeError:
        pass
    assert Outbox.objects.count() == 0
