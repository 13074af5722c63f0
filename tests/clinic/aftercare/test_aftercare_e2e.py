"""Aftercare end to end: a recorded treatment's emails leave through a real Celery worker to a real SMTP server.

The worker is a subprocess and cannot be time-travelled, so the test moves the clock where it
decides what is due: it runs the sweep (`dispatch_due`) with `now` set to each step's time, and
the real worker sends what the sweep hands it. The treatment is placed four days back, so days
0, 1 and 3 are really past (the worker's own due-check agrees) while day 7 is still ahead.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from clinic.aftercare import services as aftercare
from clinic.aftercare.services import record_treatment
from clinic.mail import sending
from clinic.models import AftercareDelivery, AftercareLink, Outbox, Patient, Practitioner
from tests.support.smtp_sink import smtp_sink
from tests.support.worker import wait_until, worker_env
from treatments import content
from treatments.models import AftercareStep, TreatmentPage

LONDON = ZoneInfo("Europe/London")
Status = Outbox.Status


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), LONDON)


@pytest.mark.chaos
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(150)
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_days_0_1_and_3_each_exactly_once_as_the_clock_moves_forward(
    on_postgres,
    broker,  # noqa: F811
    workers,  # noqa: F811
    settings,
):
    # A transactional test may start after another one flushed the migrations' content.
    page, _ = TreatmentPage.objects.get_or_create(
        slug="extraction", defaults={"title": "Extraction (de-roofing)", "summary": "Extraction."}
    )
    for step in content.read("extraction")["aftercare_steps"]:
        AftercareStep.objects.get_or_create(
            treatment=page,
            day_offset=step["day"],
            defaults={"send_time": step["send_time"], "title": step["title"], "body": step["body"]},
        )
    treatment_day = timezone.localdate() - datetime.timedelta(days=4)
    record = record_treatment(
        patient=Patient.objects.create(name="Pat Example", email="pat@example.test", phone="+447911123456"),
        treatment=page,
        practitioner=Practitioner.objects.create(name="Dr Test"),
        performed_at=at(treatment_day, 10),
        now=at(treatment_day, 10, 30),
    )
    rows = {row.aftercare_delivery.day_offset: row for row in Outbox.objects.filter(cause=aftercare.cause_of(record))}
    assert sorted(rows) == [0, 1, 3, 7, 30] and all(row.status == Status.PENDING for row in rows.values())

    with smtp_sink() as (sink, port):
        workers(worker_env(broker, port))
        steps = [
            (0, at(treatment_day, 18, 1), "DAY OF YOUR TREATMENT"),
            (1, at(treatment_day + datetime.timedelta(days=1), 9, 1), "THE DAY AFTER YOUR TREATMENT"),
            (3, at(treatment_day + datetime.timedelta(days=3), 9, 1), "CHECKING HOW YOUR SKIN IS HEALING"),
        ]
        for day, moment, _ in steps:
            with time_machine.travel(moment, tick=False):
                assert sending.dispatch_due(now=timezone.now()) == 1, f"day {day}: exactly one email due"
            sent = Outbox.objects.filter(pk=rows[day].pk, status=Status.SENT).exists
            assert wait_until(sent, timeout=30, every=0.2), f"day {day} not sent"
        # More sweeps, up to the eve of day 7 and then at the real time: nothing else is due.
        for moment in (at(treatment_day + datetime.timedelta(days=3), 9, 30), at(treatment_day, 23, 0)):
            with time_machine.travel(moment, tick=False):
                assert sending.dispatch_due(now=timezone.now()) == 0
        assert sending.dispatch_due(now=timezone.now()) == 0
        assert wait_until(lambda: len(sink.deliveries) > 3, timeout=2, every=0.2) is False  # no late duplicate

    message_ids = [delivery.message_id for delivery in sink.deliveries]
    assert len(message_ids) == len(set(message_ids)) == 3
    assert message_ids == [rows[day].message_id for day, _, _ in steps]
    for delivery, (_, _, heading) in zip(sink.deliveries, steps, strict=True):
        message = delivery.message
        assert delivery.rcpt_tos == ["pat@example.test"]
        assert message["Subject"] == f"A message from {settings.CLINIC_NAME}"
        text = message.get_body(preferencelist=("plain",)).get_content()
        preheader, _, rest = text.replace("\r\n", "\n").partition("\n\n")
        assert "care team" in preheader and rest.startswith(heading)  # a neutral first line, then the day's heading
        assert aftercare.LINK_PLACEHOLDER not in text and "https://clinic.test/aftercare/" in text
    by_pk = {row.pk: (row.status, row.attempts) for row in Outbox.objects.filter(cause=aftercare.cause_of(record))}
    statuses = {day: by_pk[row.pk] for day, row in rows.items()}
    assert statuses == {
        0: (Status.SENT, 1),
        1: (Status.SENT, 1),
        3: (Status.SENT, 1),
        7: (Status.PENDING, 0),
        30: (Status.PENDING, 0),
    }
    versions = dict(AftercareDelivery.objects.filter(record=record).values_list("day_offset", "version"))
    assert versions == {0: 1, 1: 1, 3: 1, 7: None, 30: None}
    assert AftercareLink.objects.filter(record=record).count() == 3  # one per email, minted by the worker
