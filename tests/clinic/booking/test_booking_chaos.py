"""G6 through the real booking form: Redis hangs while a patient presses "Confirm booking"."""

import os
import signal
import time

import pytest
from django.core.management import call_command

from clinic.mail import outbox
from clinic.models import Appointment, Outbox
from tests.clinic.booking.flow import confirm, walk_to_review
from tests.support.smtp_sink import smtp_sink
from tests.support.worker import use_broker


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.timeout(60)
def test_G6_a_patient_books_while_redis_hangs_and_the_confirmation_goes_when_it_is_back(
    client, redis_proc, monkeypatch, settings, now, clinic_schedule
):
    monkeypatch.setattr(outbox, "_broker_paused_until", 0.0)
    with use_broker(f"redis://{redis_proc.host}:{redis_proc.port}/0"):
        review = walk_to_review(client)
        os.kill(redis_proc.process.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            response = confirm(client, review)
            elapsed = time.monotonic() - started
        finally:
            os.kill(redis_proc.process.pid, signal.SIGCONT)
    # The booking stands, fast, and its email waits safely in the outbox.
    assert response["Location"] == "/book/confirmed/"
    assert elapsed < 3, elapsed
    appointment = Appointment.objects.get()
    confirmation = Outbox.objects.get(kind="booking_confirmed")
    assert confirmation.status == Outbox.Status.PENDING
    # Once the broker is back, the sweep (here the cron command) sends it exactly once.
    with smtp_sink() as (sink, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        settings.OUTBOX_USE_CELERY = False
        call_command("send_due_mail")
        call_command("send_due_mail")
    confirmation.refresh_from_db()
    assert confirmation.status == Outbox.Status.SENT
    assert [d.message_id for d in sink.deliveries] == [confirmation.message_id]
    text = next(p for p in sink.deliveries[0].message.walk() if p.get_content_type() == "text/plain")
    assert appointment.reference in text.get_payload(decode=True).decode()
