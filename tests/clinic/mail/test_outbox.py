"""The email outbox: queued with the change that causes it, claimed once, sent on time, retried, never lost."""

import datetime
import hashlib
import io
import logging
import re
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone

from clinic.mail import outbox, sending, tasks, unsubscribe
from clinic.models import EmailOptOut, Outbox, UnsubscribeLink
from tests.factories import OutboxFactory
from tests.support.smtp_sink import free_port
from tests.support.worker import use_broker

pytestmark = pytest.mark.django_db

T = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
CANARY_NAME = "CANARY-7f3a-name"
CANARY_TO = "canary-7f3a@example.test"
Status = Outbox.Status


def queue(**overrides):
    """queue_email with defaults, inside a transaction as a booking would call it."""
    values = {
        "to": "pat@example.test",
        "template": "test_message",
        "context": {"name": "Pat"},
        "kind": "test_message",
        "cause": "test:1",
        "idempotency_key": f"test:{time.monotonic_ns()}",
        "now": T,
    }
    values.update(overrides)
    with transaction.atomic():
        return outbox.queue_email(**values)


def view_that_queues_mail(request):
    """Stands in for a booking: one transaction that saves the change and queues its email."""
    with transaction.atomic():
        outbox.queue_email(
            to="pat@example.test",
            template="test_message",
            context={"name": "Pat"},
            kind="request_test",
            cause="test:request",
            idempotency_key="request_test:1",
        )
    return HttpResponse("booked")


urlpatterns = [path("queue-mail/", view_that_queues_mail)]


def due_row(**overrides):
    return OutboxFactory(**{"send_after": T - datetime.timedelta(minutes=1), **overrides})


# --- Queueing: G1, B3 ---------------------------------------------------------


def queue_then_fail():
    """A change that queues its email, then fails before committing."""
    with transaction.atomic():
        outbox.queue_email(
            to="pat@example.test",
            template="test_message",
            context={},
            kind="test_message",
            cause="test:1",
            idempotency_key="rollback:1",
            now=T,
        )
        raise RuntimeError("the booking failed after queueing its email")


def test_G1_a_rolled_back_change_leaves_no_email_and_publishes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError, match="booking failed"):
        queue_then_fail()
    assert Outbox.objects.count() == 0
    assert callbacks == []


def test_G1_due_mail_is_handed_to_a_worker_once_after_commit_by_id_only(
    django_capture_on_commit_callbacks, broker_messages
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = queue(to=CANARY_TO, context={"name": CANARY_NAME})
    assert len(callbacks) == 1
    [(headers, args, kwargs, raw)] = broker_messages()
    assert headers["task"] == "clinic.mail.tasks.send_outbox_email"
    assert (args, kwargs) == ([row.pk], {})
    assert "canary" not in raw.lower()


def test_mail_for_later_is_not_handed_to_a_worker_now(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        row = queue(send_after=T + datetime.timedelta(days=7))
    assert callbacks == []
    assert (row.status, row.next_attempt_at) == (Status.PENDING, T + datetime.timedelta(days=7))


def test_the_same_idempotency_key_stores_one_email():
    first = queue(idempotency_key="booking_confirmed:1")
    second = queue(idempotency_key="booking_confirmed:1", context={"name": "Someone else"})
    assert first.pk == second.pk
    assert Outbox.objects.count() == 1


def test_each_email_gets_its_own_message_id_on_the_site_domain():
    ids = {queue().message_id for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"<[0-9a-f]{32}@clinic\.test>", message_id) for message_id in ids)


@pytest.mark.parametrize(
    "address",
    [
        "a@b.test\nBcc: x@evil.test",
        "a@b.test\r\nBcc: x@evil.test",
        "a@b.test, x@evil.test",
        "a@b.test; x@evil.test",
        "Eve <a@b.test>",
        "not an address",
    ],
)
def test_a_recipient_that_is_not_one_plain_address_is_refused_and_nothing_is_stored(address):
    with pytest.raises(outbox.InvalidRecipient) as refused:
        queue(to=address)
    assert "evil" not in str(refused.value) and "a@b" not in str(refused.value)
    assert Outbox.objects.count() == 0


def test_a_naive_send_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        queue(send_after=datetime.datetime(2026, 12, 8, 9, 0))  # noqa: DTZ001 (must be refused)


# --- Claiming ---------------------------------------------------------------


def test_the_sweep_claims_only_due_unheld_pending_rows_oldest_first(settings):
    older = due_row(send_after=T - datetime.timedelta(hours=1))
    newer = due_row()
    OutboxFactory(send_after=T + datetime.timedelta(minutes=1))
    for status in (Status.SENT, Status.FAILED, Status.CANCELLED, Status.SENDING):
        due_row(status=status)
    due_row(lease_until=T + datetime.timedelta(seconds=30))
    assert sending.claim_due(now=T, limit=10) == [older.pk, newer.pk]
    older.refresh_from_db()
    assert older.lease_until == T + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    assert older.status == Status.PENDING  # claimed for handing over, not yet sending


def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(settings):
    row = due_row()
    assert sending.claim_due(now=T, limit=10) == [row.pk]
    assert sending.claim_due(now=T + datetime.timedelta(seconds=1), limit=10) == []
    after_lease = T + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    assert sending.claim_due(now=after_lease, limit=10) == [row.pk]


def test_claiming_costs_the_same_few_queries_for_five_rows_or_sixty(django_assert_max_num_queries):
    from django.db import connection

    counts = []
    for n in (5, 60):
        OutboxFactory.create_batch(n, send_after=T - datetime.timedelta(minutes=1))
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(4):
            assert len(sending.claim_due(now=T, limit=100)) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_claiming_respects_the_limit():
    OutboxFactory.create_batch(5, send_after=T - datetime.timedelta(minutes=1))
    assert len(sending.claim_due(now=T, limit=3)) == 3
    assert len(sending.claim_due(now=T, limit=3)) == 2


# --- Sending ----------------------------------------------------------------


def test_it_sends_the_stored_email_to_one_recipient_with_its_message_id_and_attachment(mailoutbox):
    row = queue(attachments=[("appointment.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")])
    assert sending.send_one(row.pk, now=T) == Status.SENT
    [sent] = mailoutbox
    assert sent.to == ["pat@example.test"] and sent.cc == [] and sent.bcc == []
    message = sent.message()
    assert message["Message-ID"] == row.message_id
    assert message["Subject"] == row.subject
    assert "List-Unsubscribe" not in message  # booking mail is essential
    [(filename, content, mimetype)] = sent.attachments
    assert (filename, mimetype) == ("appointment.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in content
    assert sent.alternatives[0].mimetype == "text/html"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at, row.lease_until) == (Status.SENT, 1, T, None)


def test_a_second_delivery_of_the_same_task_sends_nothing(mailoutbox):
    row = queue()
    assert sending.send_one(row.pk, now=T) == Status.SENT
    assert sending.send_one(row.pk, now=T + datetime.timedelta(seconds=1)) is None
    assert len(mailoutbox) == 1
    assert Outbox.objects.get(pk=row.pk).attempts == 1


def test_cancelled_and_future_rows_are_not_sent(mailoutbox):
    cancelled = due_row(status=Status.CANCELLED)
    future = OutboxFactory(send_after=T + datetime.timedelta(hours=1))
    assert sending.send_one(cancelled.pk, now=T) is None
    assert sending.send_one(future.pk, now=T) is None
    assert sending.send_one(123456789, now=T) is None
    assert mailoutbox == []


def test_the_task_takes_an_id_and_sends_at_the_current_time(mailoutbox):
    row = queue()
    with time_machine.travel(T + datetime.timedelta(seconds=5), tick=False):
        tasks.send_outbox_email(row.pk)
    row.refresh_from_db()
    assert (row.status, row.sent_at) == (Status.SENT, T + datetime.timedelta(seconds=5))
    assert len(mailoutbox) == 1


def test_G8_it_retries_a_temporary_smtp_failure_with_growing_gaps(smtp, settings):
    """G8: 451, 451, 451, then 250: sent on the 4th attempt, gaps doubling with jitter, one message."""
    smtp.plan[:] = ["451 4.3.0 Try again later"] * 3
    row = queue(now=T)
    tried_at, gaps = T, []
    for attempt in range(1, 5):
        with time_machine.travel(tried_at, tick=False):
            tasks.send_outbox_email(row.pk)
        row.refresh_from_db()
        assert row.attempts == attempt
        if row.status == Status.SENT:
            break
        assert (row.status, row.last_error) == (Status.PENDING, "SMTPDataError 451")
        gaps.append((row.next_attempt_at - tried_at).total_seconds())
        tried_at = row.next_attempt_at
    assert row.status == Status.SENT and row.attempts == 4
    base = settings.OUTBOX_BACKOFF_BASE_SECONDS
    for n, gap in enumerate(gaps):
        assert 0.8 * base * 2**n <= gap <= 1.2 * base * 2**n
    assert gaps == sorted(gaps) and len(set(gaps)) == 3
    assert len(smtp.accepted) == 1
    assert {d.message_id for d in smtp.deliveries} == {row.message_id}


def test_G8_retry_gaps_have_jitter_and_stop_growing_at_the_cap(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 60
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 3600
    assert sending.retry_delay(1, rng=lambda: 0.0) == datetime.timedelta(seconds=48)
    assert sending.retry_delay(1, rng=lambda: 1.0) == datetime.timedelta(seconds=72)
    assert sending.retry_delay(3, rng=lambda: 0.5) == datetime.timedelta(seconds=240)
    assert sending.retry_delay(9, rng=lambda: 0.5) == datetime.timedelta(seconds=3600)
    assert sending.retry_delay(60, rng=lambda: 1.0) == datetime.timedelta(seconds=3600)
    assert len({sending.retry_delay(2) for _ in range(20)}) > 1


@pytest.mark.parametrize(
    ("fault", "label"),
    [
        ("421", r"SMTPDataError 421"),
        ("refused", r"ConnectionRefusedError"),
        ("hang", r"SMTPServerDisconnected|TimeoutError"),
    ],
)
def test_a_temporary_failure_is_retried_later_never_failed_at_once(smtp, settings, fault, label):
    """G8's other faults: a 421, no server at all, and a server that hangs past EMAIL_TIMEOUT."""
    if fault == "421":
        smtp.plan[:] = ["421 4.3.2 Service shutting down"]
    elif fault == "refused":
        settings.EMAIL_PORT = free_port()
    else:
        settings.EMAIL_TIMEOUT = 1
        smtp.plan[:] = [("sleep", 3)]
    row = queue()
    started = time.monotonic()
    assert sending.send_one(row.pk, now=T) == Status.PENDING
    assert time.monotonic() - started < 2.5  # a hung server costs the timeout, not more
    row.refresh_from_db()
    assert re.fullmatch(label, row.last_error)
    assert row.next_attempt_at > T and row.lease_until is None
    assert not Outbox.objects.filter(kind=sending.STAFF_ALERT).exists()


def test_it_gives_up_after_the_last_attempt_and_alerts_staff(smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    smtp.plan[:] = ["451 4.3.0 Try again later"] * 2
    row = queue()
    sending.send_one(row.pk, now=T)
    row.refresh_from_db()
    assert sending.send_one(row.pk, now=row.next_attempt_at) == Status.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 2)
    assert Outbox.objects.filter(kind=sending.STAFF_ALERT, cause=f"outbox:{row.pk}").count() == 1


def test_G9_a_permanent_smtp_failure_fails_at_once_and_alerts_staff_without_personal_data(smtp, settings):
    """G9: 550 → failed after one attempt, no retry, a staff alert naming only the email's number."""
    smtp.plan[:] = ["550 5.1.1 <canary-7f3a@example.test>: user unknown"]
    row = queue(to=CANARY_TO, context={"name": CANARY_NAME})
    assert sending.send_one(row.pk, now=T) == Status.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 1, "SMTPDataError 550")
    assert sending.send_one(row.pk, now=T + datetime.timedelta(days=1)) is None  # no retries
    alert = Outbox.objects.get(kind=sending.STAFF_ALERT)
    assert alert.recipient == settings.CLINIC_INBOX_EMAIL
    assert alert.subject == f"{settings.CLINIC_NAME}: an email could not be sent"
    assert f"#{row.pk}" in alert.body_text
    assert f"https://clinic.test/{settings.ADMIN_URL}clinic/outbox/{row.pk}/change/" in alert.body_text
    assert sending.send_one(alert.pk, now=T) == Status.SENT
    delivered = smtp.deliveries[-1]
    assert delivered.rcpt_tos == [settings.CLINIC_INBOX_EMAIL]
    assert "canary" not in delivered.content.decode().lower()


def test_a_failed_staff_alert_does_not_alert_about_itself(smtp):
    smtp.plan[:] = ["550 5.1.1 user unknown"] * 3
    row = queue()
    sending.send_one(row.pk, now=T)
    alert = Outbox.objects.get(kind=sending.STAFF_ALERT)
    assert sending.send_one(alert.pk, now=T) == Status.FAILED
    assert Outbox.objects.filter(kind=sending.STAFF_ALERT).count() == 1


def test_B3_a_header_that_reaches_the_sender_anyway_fails_the_email_without_a_crash(smtp):
    """B3: if a CR/LF got past queueing, Django refuses the header; the row fails, nothing is sent."""
    row = due_row(recipient="a@b.test\nBcc: x@evil.test")
    assert sending.send_one(row.pk, now=T) == Status.FAILED
    row.refresh_from_db()
    assert row.last_error in {"BadHeaderError", "ValueError"}
    assert smtp.deliveries == []


def test_H1_H2_canaries_never_reach_subjects_headers_or_logs_and_each_message_has_one_recipient(smtp, caplog, settings):
    """H1, H2: the subject is from the allow-list; personal data appears only in To and the body; logs hold ids."""
    caplog.set_level(logging.DEBUG)
    smtp.plan[:] = ["451 4.3.0 Try again later", "250 OK", "550 5.1.1 user unknown"]
    first = queue(to=CANARY_TO, context={"name": CANARY_NAME}, cause="test:canary")
    sending.send_one(first.pk, now=T)
    first.refresh_from_db()
    sending.send_one(first.pk, now=first.next_attempt_at)
    second = queue(to="other-canary-7f3a@example.test", context={"name": CANARY_NAME})
    sending.send_one(second.pk, now=T)
    assert len(smtp.deliveries) == 3
    allowed = re.compile(rf"^(Your appointment at|Appointment reminder from|A message from) {settings.CLINIC_NAME}$")
    for delivery in smtp.deliveries:
        assert len(delivery.rcpt_tos) == 1
        message = delivery.message
        assert allowed.match(message["Subject"])
        assert "Cc" not in message and "Bcc" not in message
        headers = "\n".join(f"{k}: {v}" for k, v in message.items() if k.lower() != "to")
        assert "canary" not in headers.lower()
    # Everything the site logged (the test's SMTP server logs what it receives, and is not the site).
    site_log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "outbox" in site_log
    assert "canary" not in site_log.lower()
    assert "example.test" not in site_log


# --- Stuck senders ----------------------------------------------------------


def claimed_by_a_sender_that_died(row, *, at, attempts=1):
    """What send_one's claim leaves behind when the process dies before recording the outcome."""
    Outbox.objects.filter(pk=row.pk).update(status=Status.SENDING, attempts=attempts, lease_until=at + sending.lease())


def test_G5_a_row_whose_sender_died_is_sent_again_after_its_lease_with_the_same_message_id(mailoutbox, settings):
    row = queue()
    claimed_by_a_sender_that_died(row, at=T)
    lease_end = T + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    assert sending.reclaim_stuck(now=lease_end - datetime.timedelta(seconds=1)) == 0
    assert sending.send_one(row.pk, now=lease_end - datetime.timedelta(seconds=1)) is None
    with time_machine.travel(lease_end + datetime.timedelta(seconds=1), tick=False):
        tasks.dispatch_due_email()  # the sweep: reclaims, then hands the row to a worker in a batch
        tasks.send_outbox_batch([row.pk])
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert mailoutbox[0].message()["Message-ID"] == row.message_id


def test_a_row_that_keeps_losing_its_sender_is_failed_and_staff_are_told(settings):
    row = queue()
    claimed_by_a_sender_that_died(row, at=T, attempts=settings.OUTBOX_MAX_ATTEMPTS)
    assert sending.reclaim_stuck(now=T + datetime.timedelta(hours=1)) == 1
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert Outbox.objects.filter(kind=sending.STAFF_ALERT, cause=f"outbox:{row.pk}").exists()


# --- The sweep and a broker that is down: G6 without Redis --------------------


def test_the_sweep_hands_each_due_row_to_a_worker_once(broker_messages):
    rows = [due_row() for _ in range(3)]
    due_row(status=Status.SENT)
    assert sending.dispatch_due(now=T) == 3
    [(headers, args, kwargs, _)] = broker_messages()
    assert headers["task"] == "clinic.mail.tasks.send_outbox_batch"
    assert (sorted(args[0]), kwargs) == (sorted(r.pk for r in rows), {})
    assert sending.dispatch_due(now=T + datetime.timedelta(seconds=30)) == 0
    assert len(broker_messages()) == 1


@pytest.mark.urls(__name__)
def test_G6_a_request_that_queues_mail_succeeds_quickly_when_the_broker_is_down(
    client, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.WARNING, logger="clinic.outbox")
    with use_broker(f"redis://127.0.0.1:{free_port()}/0"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post("/queue-mail/")
        elapsed = time.monotonic() - started
        row = Outbox.objects.get(kind="request_test")
        assert sending.dispatch_due(now=timezone.now()) == 0  # still down: the sweep keeps nothing leased
    assert response.status_code == 200 and elapsed < 3
    assert len(callbacks) == 1
    row.refresh_from_db()
    assert (row.status, row.lease_until) == (Status.PENDING, None)
    assert "task broker unreachable" in caplog.text
    assert "pat@example.test" not in caplog.text


# --- Cancelling and replacing -----------------------------------------------


def test_cancelling_drops_only_that_causes_unsent_mail_and_frees_its_keys():
    confirmation = queue(cause="appointment:1", kind="booking_confirmed", idempotency_key="booking_confirmed:1")
    reminder = queue(cause="appointment:1", kind="booking_reminder", idempotency_key="booking_reminder:1")
    sent = queue(cause="appointment:1", idempotency_key="sent:1")
    Outbox.objects.filter(pk=sent.pk).update(status=Status.SENT)
    other = queue(cause="appointment:2", kind="booking_reminder", idempotency_key="booking_reminder:2")
    with transaction.atomic():
        assert outbox.cancel_pending(cause="appointment:1", kinds=["booking_reminder"]) == 1
        assert outbox.cancel_pending(cause="appointment:1") == 1
    statuses = dict(Outbox.objects.values_list("pk", "status"))
    assert statuses[confirmation.pk] == statuses[reminder.pk] == Status.CANCELLED
    assert (statuses[sent.pk], statuses[other.pk]) == (Status.SENT, Status.PENDING)
    replacement = queue(cause="appointment:1", kind="booking_reminder", idempotency_key="booking_reminder:1")
    assert replacement.pk != reminder.pk and replacement.status == Status.PENDING


# --- Unsubscribing ----------------------------------------------------------


def sent_aftercare(mailoutbox, to="pat@example.test"):
    row = queue(to=to, category=Outbox.Category.AFTERCARE, kind="aftercare_tips")
    sending.send_one(row.pk, now=T)
    message = mailoutbox[-1].message()
    url = message["List-Unsubscribe"].strip("<>")
    return row, message, url


def test_non_essential_mail_carries_a_one_click_unsubscribe_whose_token_is_stored_only_as_a_hash(mailoutbox):
    row, message, url = sent_aftercare(mailoutbox)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(r"https://clinic\.test/email/unsubscribe/([A-Za-z0-9_-]{43,})/", url)
    assert match
    token = match.group(1)
    assert url in mailoutbox[-1].body and url in mailoutbox[-1].alternatives[0].content
    assert UnsubscribeLink.objects.get(outbox=row).token_hash == hashlib.sha256(token.encode()).hexdigest()
    dump = io.StringIO()
    call_command("dumpdata", "clinic", stdout=dump)
    assert token not in dump.getvalue()


def test_a_mail_clients_one_click_post_unsubscribes_without_a_csrf_token(mailoutbox):
    row, _, url = sent_aftercare(mailoutbox)
    waiting = queue(category=Outbox.Category.AFTERCARE, send_after=T + datetime.timedelta(days=7))
    essential = queue(send_after=T + datetime.timedelta(days=7))
    someone_else = queue(to="sam@example.test", category=Outbox.Category.AFTERCARE, send_after=T)
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert EmailOptOut.objects.filter(category=Outbox.Category.AFTERCARE).count() == 1
    statuses = dict(Outbox.objects.values_list("pk", "status"))
    assert statuses[waiting.pk] == Status.CANCELLED
    assert statuses[essential.pk] == statuses[someone_else.pk] == Status.PENDING
    later = queue(category=Outbox.Category.AFTERCARE, to="PAT@example.test", idempotency_key="aftercare:later")
    assert (later.status, later.last_error) == (Status.CANCELLED, "Unsubscribed")


def test_mail_queued_before_an_unsubscribe_is_not_sent_after_it(mailoutbox):
    row, _, url = sent_aftercare(mailoutbox)
    race = due_row(recipient="pat@example.test", category=Outbox.Category.AFTERCARE)
    unsubscribe.opt_out(address="pat@example.test", category=Outbox.Category.AFTERCARE, now=T)
    Outbox.objects.filter(pk=race.pk).update(status=Status.PENDING)  # as if it had been claimed meanwhile
    assert sending.send_one(race.pk, now=T) == Status.CANCELLED
    assert len(mailoutbox) == 1


def test_the_unsubscribe_page_asks_first_and_its_form_needs_a_csrf_token(mailoutbox):
    _, _, url = sent_aftercare(mailoutbox)
    browser = Client(enforce_csrf_checks=True)
    for _ in range(3):  # mail scanners prefetch links: a GET changes nothing
        page = browser.get(url)
        assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert "Stop the aftercare emails" in text
    assert "ask how it is healing" in text  # says what stops
    assert "may still contact you about it by phone" in text  # and that safety calls do not
    assert page["Referrer-Policy"] == "strict-origin"
    assert "no-store" in page["Cache-Control"]
    assert not EmailOptOut.objects.exists()
    assert browser.post(url).status_code == 403
    assert not EmailOptOut.objects.exists()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/email/unsubscribed/"
    assert EmailOptOut.objects.count() == 1
    assert "already unsubscribed" in browser.get(url).content.decode()
    assert browser.get("/email/unsubscribed/").status_code == 200


def test_essential_mail_cannot_be_unsubscribed_from():
    with pytest.raises(ValueError, match="Essential mail cannot be unsubscribed"):
        unsubscribe.opt_out(address="pat@example.test", category=Outbox.Category.ESSENTIAL, now=T)


def test_D2_an_unknown_unsubscribe_token_gets_the_same_404_as_any_missing_page(client):
    unknown = client.get("/email/unsubscribe/" + "A" * 43 + "/")
    missing = client.get("/no-such-page/")
    assert unknown.status_code == missing.status_code == 404
    assert unknown.content == missing.content
    assert client.post("/email/unsubscribe/" + "A" * 43 + "/", {"List-Unsubscribe": "One-Click"}).status_code == 404


# --- Housekeeping, commands, beat ---------------------------------------------


def test_H4_sent_and_cancelled_mail_is_deleted_after_30_days_and_nothing_else():
    old, recent = T - datetime.timedelta(days=31), T - datetime.timedelta(days=29)
    gone = [
        OutboxFactory(status=Status.SENT, sent_at=old, category=Outbox.Category.AFTERCARE),
        OutboxFactory(status=Status.CANCELLED, created_at=old),
    ]
    UnsubscribeLink.objects.create(outbox=gone[0], token_hash="0" * 64, created_at=old)
    kept = [
        OutboxFactory(status=Status.SENT, sent_at=recent),
        OutboxFactory(status=Status.FAILED, created_at=old),
        OutboxFactory(status=Status.PENDING, created_at=old),
    ]
    with time_machine.travel(T, tick=False):
        tasks.purge_old_email()
    assert sorted(Outbox.objects.values_list("pk", flat=True)) == sorted(r.pk for r in kept)
    assert not UnsubscribeLink.objects.exists()


def test_send_due_mail_sends_everything_due_once_without_a_worker(mailoutbox):
    rows = [queue() for _ in range(3)]
    queue(send_after=T + datetime.timedelta(days=1))
    out = io.StringIO()
    with time_machine.travel(T + datetime.timedelta(minutes=1), tick=False):
        call_command("send_due_mail", stdout=out)
    assert out.getvalue().strip() == "Sent 3, to retry 0, failed 0, cancelled 0."
    assert sorted(m.message()["Message-ID"] for m in mailoutbox) == sorted(r.message_id for r in rows)
    out = io.StringIO()
    with time_machine.travel(T + datetime.timedelta(minutes=2), tick=False):
        call_command("send_due_mail", stdout=out)
    assert out.getvalue().startswith("Sent 0,")
    assert len(mailoutbox) == 3


def test_outbox_stats_shows_counts_by_status_and_what_is_overdue():
    OutboxFactory.create_batch(2, send_after=timezone.now() - datetime.timedelta(minutes=10))
    OutboxFactory(status=Status.FAILED)
    out = io.StringIO()
    call_command("outbox_stats", stdout=out)
    lines = out.getvalue().splitlines()
    assert "pending    2" in lines and "failed     1" in lines and "sent       0" in lines
    assert "due now    2" in lines
    assert re.search(r"^oldest due (\d+) s ago$", out.getvalue(), re.M)


def test_beat_runs_the_sweep_every_minute_and_the_purge_daily(settings):
    from celery.schedules import crontab

    from clinic.celery import app

    app.loader.import_default_modules()  # what a worker and beat do at start: the tasks modules are found
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule == {
        "clinic.mail.tasks.dispatch_due_email": 60.0,
        "clinic.mail.tasks.purge_old_email": 86400.0,
        "clinic.staff.tasks.purge_expired_records": 86400.0,
        "clinic.staff.tasks.send_review_digest": crontab(0, 7, 1),  # Mondays 07:00 UTC
        "clinic.aftercare.tasks.realert_unhandled_concerns": 300.0,
        "clinic.waitlist.tasks.offer_free_times": 300.0,
    }
    assert set(schedule) <= set(app.tasks)
    assert tasks.send_outbox_email.acks_late and tasks.send_outbox_batch.acks_late
