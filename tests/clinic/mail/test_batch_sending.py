"""Sending in batches: one SMTP connection per batch, reopened after a failure, each row's outcome its own.

Against a real aiosmtpd server on loopback that counts the connections it was given. The same
batches are what the sweep hands a Celery worker (`send_outbox_batch`) and what cron sends.
"""

import datetime
import io
import math
import time

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.mail import sending, tasks, unsubscribe
from clinic.mail.connection import MailConnection, process_connection
from clinic.models import Outbox
from tests.factories import OutboxFactory
from tests.support.smtp_sink import FlakyHandler, free_port

pytestmark = pytest.mark.django_db

T = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
Status = Outbox.Status
DROP = "drop"  # a plan entry: the server hangs up instead of answering this DATA


class CountingHandler(FlakyHandler):
    """FlakyHandler that also records which connection (client address) each message came over."""

    def __init__(self, plan=()):
        super().__init__([step for step in plan])
        self.peers = []
        self.refused = set()  # addresses answered "550 User unknown" at RCPT TO

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    @property
    def connections(self):
        return len(set(self.peers))

    def hang_up(self):
        """Close the last connection from the server's side, as an idle timeout would."""
        server = self.last_server
        server.loop.call_soon_threadsafe(server.transport.close)
        time.sleep(0.2)

    async def handle_DATA(self, server, session, envelope):
        self.peers.append(session.peer)
        self.last_server = server
        if self.plan and self.plan[0] == DROP:
            self.plan.pop(0)
            server.transport.close()  # the connection is lost mid-conversation: no reply to this message
            return "421 4.4.2 Connection dropped"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sink(settings):
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield handler
    controller.stop()


def due(n, **fields):
    return OutboxFactory.create_batch(n, send_after=T - datetime.timedelta(minutes=1), **fields)


def accepted_ids(sink):
    return sorted(d.message_id for d in sink.accepted)


def test_a_batch_of_twenty_goes_over_one_connection_and_each_row_is_sent_once(sink):
    rows = due(20)
    outcomes = sending.send_batch([r.pk for r in rows], now=T)
    assert outcomes == {r.pk: Status.SENT for r in rows}
    assert sink.connections == 1 and len(sink.peers) == 20
    assert accepted_ids(sink) == sorted(r.message_id for r in rows)
    assert set(Outbox.objects.values_list("status", "attempts", "sent_at", "lease_until")) == {
        (Status.SENT, 1, T, None)
    }
    # Sent rows are done: the same batch again sends nothing.
    assert sending.send_batch([r.pk for r in rows], now=T + datetime.timedelta(seconds=1)) == {}
    assert len(sink.deliveries) == 20


def test_a_lost_connection_mid_batch_fails_only_that_message_and_the_rest_go_over_a_new_one(sink):
    rows = due(10)
    sink.plan = ["250 OK"] * 4 + [DROP]
    outcomes = sending.send_batch([r.pk for r in rows], now=T)
    cut = rows[4]
    assert outcomes == {r.pk: Status.PENDING if r is cut else Status.SENT for r in rows}
    assert sink.connections == 2
    assert accepted_ids(sink) == sorted(r.message_id for r in rows if r is not cut)
    cut.refresh_from_db()
    assert (cut.status, cut.attempts, cut.lease_until) == (Status.PENDING, 1, None)
    assert cut.last_error.startswith("SMTPServerDisconnected")
    assert cut.next_attempt_at > T  # retried later like any temporary failure
    # Its retry goes and arrives once.
    assert sending.send_batch([cut.pk], now=cut.next_attempt_at) == {cut.pk: Status.SENT}
    assert accepted_ids(sink) == sorted(r.message_id for r in rows)


def test_a_refused_message_mid_batch_fails_alone_and_the_session_goes_on(sink, settings):
    rows = due(6)
    sink.plan = ["250 OK", "250 OK", "550 5.1.1 User unknown", "451 4.3.0 Try again later"]
    outcomes = sending.send_batch([r.pk for r in rows], now=T)
    assert [outcomes[r.pk] for r in rows] == [
        Status.SENT,
        Status.SENT,
        Status.FAILED,
        Status.PENDING,
        Status.SENT,
        Status.SENT,
    ]
    assert sink.connections == 1
    assert Outbox.objects.get(pk=rows[2].pk).last_error == "SMTPDataError 550"
    # Staff are told about the failed one (queued, not yet sent).
    assert Outbox.objects.filter(kind=sending.STAFF_ALERT, cause=f"outbox:{rows[2].pk}").exists()


def test_send_due_mail_uses_one_connection_for_all_its_batches(sink):
    rows = due(25)
    out = io.StringIO()
    with time_machine.travel(T, tick=False):
        call_command("send_due_mail", "--batch-size", "10", stdout=out)
    assert out.getvalue().strip() == "Sent 25, to retry 0, failed 0, cancelled 0."
    assert sink.connections == 1
    assert accepted_ids(sink) == sorted(r.message_id for r in rows)


def test_a_worker_keeps_its_connection_between_tasks_and_reopens_one_the_server_closed(sink):
    rows = due(3)
    shared = MailConnection()
    assert sending.send_one(rows[0].pk, now=T, connection=shared) == Status.SENT
    assert sending.send_one(rows[1].pk, now=T, connection=shared) == Status.SENT
    assert (sink.connections, shared.opened) == (1, 1)
    sink.hang_up()  # the server dropped the idle connection
    shared.last_used -= 60  # idle long enough to be checked before use
    assert sending.send_one(rows[2].pk, now=T, connection=shared) == Status.SENT
    assert (sink.connections, shared.opened) == (2, 2)
    shared.close()
    assert accepted_ids(sink) == sorted(r.message_id for r in rows)


def test_a_batch_costs_the_same_queries_for_five_rows_or_forty(sink):
    counts = []
    for n in (5, 40):
        rows = due(n)
        with CaptureQueriesContext(connection) as queries:
            assert set(sending.send_batch([r.pk for r in rows], now=T).values()) == {Status.SENT}
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6


def test_a_batch_cancels_rows_whose_address_unsubscribed_and_sends_the_rest(sink):
    [gone, kept] = due(2, category=Outbox.Category.AFTERCARE)
    unsubscribe.opt_out(address=gone.recipient, category=Outbox.Category.AFTERCARE, now=T)
    gone.refresh_from_db()
    Outbox.objects.filter(pk=gone.pk).update(status=Status.PENDING)  # it raced the opt-out
    outcomes = sending.send_batch([gone.pk, kept.pk], now=T)
    assert outcomes == {gone.pk: Status.CANCELLED, kept.pk: Status.SENT}
    assert accepted_ids(sink) == [kept.message_id]
    assert Outbox.objects.get(pk=gone.pk).last_error == "Unsubscribed"


def test_a_batch_gives_back_untried_rows_when_half_its_lease_is_spent(sink, settings):
    settings.OUTBOX_LEASE_SECONDS = 0  # every row after the first check is past half the lease
    rows = due(3)
    assert sending.send_batch([r.pk for r in rows], now=T) == {}
    assert set(Outbox.objects.values_list("status", "attempts", "lease_until")) == {(Status.PENDING, 0, None)}
    assert sink.deliveries == []


def test_a_batch_stops_starting_sends_when_its_time_is_up_and_gives_the_rest_back(sink):
    rows = due(3)
    assert sending.send_batch([r.pk for r in rows], now=T, within=0) == {}
    assert set(Outbox.objects.values_list("status", "attempts", "lease_until")) == {(Status.PENDING, 0, None)}
    assert sink.deliveries == []


# --- The worker's path: the sweep hands out batches, a task sends one ----------------------


@pytest.mark.parametrize(("n", "size"), [(7, 3), (6, 3), (2, 50)])
def test_the_sweep_publishes_one_batch_task_per_batch_of_due_ids(broker_messages, settings, n, size):
    settings.OUTBOX_WORKER_BATCH = size
    rows = due(n)
    OutboxFactory.create_batch(2, send_after=T + datetime.timedelta(hours=1))  # not due yet: not handed out
    assert sending.dispatch_due(now=T) == n
    published = broker_messages()
    assert len(published) == math.ceil(n / size)
    assert {headers["task"] for headers, *_ in published} == {"clinic.mail.tasks.send_outbox_batch"}
    batches = [args[0] for _, args, _, _ in published]
    assert all(len(batch) <= size for batch in batches)
    handed_out = [pk for batch in batches for pk in batch]
    assert sorted(handed_out) == sorted(r.pk for r in rows)  # each due row in exactly one batch
    # Leased to the workers: the next sweep hands out nothing more.
    assert sending.dispatch_due(now=T + datetime.timedelta(seconds=30)) == 0
    assert len(broker_messages()) == len(published)


@pytest.fixture
def worker_connection():
    """The worker process's kept connection, closed afterwards so the next test starts afresh."""
    process_connection.close()
    yield process_connection
    process_connection.close()


def run_batch_task(ids, at=T):
    with time_machine.travel(at, tick=False):
        tasks.send_outbox_batch(ids)


def test_the_batch_task_sends_each_row_once_over_one_connection(sink, worker_connection):
    rows = due(12)
    with CaptureQueriesContext(connection) as queries:
        run_batch_task([r.pk for r in rows])
    assert len(queries) <= 6  # one claim, one mark-sent for the batch: no query of each row's own
    assert accepted_ids(sink) == sorted(r.message_id for r in rows)
    assert (sink.connections, len(sink.peers), worker_connection.opened) == (1, 12, 1)
    assert set(Outbox.objects.values_list("status", "attempts", "sent_at", "lease_until")) == {
        (Status.SENT, 1, T, None)
    }
    # The same task delivered again (acks_late, a redelivery): nothing more goes.
    run_batch_task([r.pk for r in rows], at=T + datetime.timedelta(seconds=1))
    assert len(sink.deliveries) == 12


def test_one_refused_recipient_in_a_batch_task_fails_only_its_row(sink, worker_connection):
    rows = due(5)
    bad = rows[2]
    sink.refused.add(bad.recipient)
    run_batch_task([r.pk for r in rows])
    statuses = dict(Outbox.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "status"))
    assert statuses == {r.pk: Status.FAILED if r is bad else Status.SENT for r in rows}
    bad.refresh_from_db()
    assert (bad.attempts, bad.last_error) == (1, "SMTPRecipientsRefused 550")
    assert accepted_ids(sink) == sorted(r.message_id for r in rows if r is not bad)
    assert sink.connections == 1  # the refusal left the session usable
    assert Outbox.objects.filter(kind=sending.STAFF_ALERT, cause=f"outbox:{bad.pk}").exists()


def test_a_batch_task_sends_nothing_already_sent_or_held_by_another_sender(sink, worker_connection):
    rows = due(6)
    by_confirmation, by_cron, in_flight = rows[0], rows[1], rows[2]
    # The booking's own task sent one; cron sent another; a third is being sent by someone else now.
    assert sending.send_one(by_confirmation.pk, now=T) == Status.SENT
    assert sending.send_batch([by_cron.pk], now=T) == {by_cron.pk: Status.SENT}
    Outbox.objects.filter(pk=in_flight.pk).update(status=Status.SENDING, lease_until=T + sending.lease())
    assert len(sink.deliveries) == 2
    run_batch_task([r.pk for r in rows])
    assert accepted_ids(sink) == sorted(r.message_id for r in rows if r is not in_flight)
    assert len(sink.deliveries) == 5  # each message once: none of the three sent again
    in_flight.refresh_from_db()
    assert (in_flight.status, in_flight.attempts) == (Status.SENDING, 0)  # left to its sender
    assert Outbox.objects.filter(status=Status.SENT).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_batch_whose_database_connection_died_is_marked_sent_once_it_reconnects(on_postgres, caplog):
    """The server ends the worker's session (a restart, a failover) after the batch was sent: marking waits it out."""
    from django.db import OperationalError

    rows = due(3)
    Outbox.objects.filter(pk__in=[r.pk for r in rows]).update(status=Status.SENDING, lease_until=T + sending.lease())
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    with caplog.at_level("INFO", logger="clinic.mail.sending"):
        sending._mark_sent(rows, now=T)
    assert set(Outbox.objects.values_list("status", "sent_at", "lease_until")) == {(Status.SENT, T, None)}
    messages = [r.getMessage() for r in caplog.records]
    assert any("database unreachable" in m for m in messages), messages
    assert messages[-1] == "outbox: database back; marked 3 sent email(s) after 2 tries"
