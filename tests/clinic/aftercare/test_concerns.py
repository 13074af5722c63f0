"""Worries reach a clinician: the alert goes to the clinical address, and once more if nobody handles it in time."""

import datetime

import pytest

from clinic.aftercare import concerns
from clinic.aftercare.services import check_in, new_link
from clinic.models import AftercareCheckIn, Outbox
from tests.clinic_fixtures import MONDAY

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def worry(make_record):
    record = make_record()
    link_now = MONDAY + HOUR
    new_link(record, record.treatment.aftercare_steps.first(), now=link_now)
    link = record.aftercare_links.get()
    return check_in(link=link, feeling="worried", message="It is red and hot.", now=link_now)


def alerts(kind):
    return list(Outbox.objects.filter(kind=kind))


def test_the_alert_goes_to_the_clinical_address_with_the_concerns_page(make_record, settings):
    settings.CLINIC_CLINICAL_EMAIL = "clinicians@clinic.example"
    record = make_record()
    new_link(record, record.treatment.aftercare_steps.first(), now=MONDAY + HOUR)
    answer = check_in(link=record.aftercare_links.get(), feeling="worried", message="sore", now=MONDAY + HOUR)
    [alert] = alerts(concerns.KIND)
    assert alert.recipient == "clinicians@clinic.example"
    assert f"/admin/clinic/aftercarecheckin/{answer.pk}/change/" in alert.body_text


def test_an_unhandled_worry_re_alerts_exactly_once_after_the_configured_time(worry, settings):
    settings.CLINIC_CONCERN_REALERT_HOURS = 4
    asked = worry.created_at
    assert concerns.realert_unhandled(now=asked + 4 * HOUR - datetime.timedelta(seconds=1)) == 0
    assert concerns.realert_unhandled(now=asked + 4 * HOUR) == 1
    assert concerns.realert_unhandled(now=asked + 5 * HOUR) == 0
    assert concerns.realert_unhandled(now=asked + 50 * HOUR) == 0
    [again] = alerts(concerns.REALERT_KIND)
    assert again.recipient == settings.CLINIC_CLINICAL_EMAIL
    assert again.subject.startswith("Still waiting: ")
    assert "red and hot" not in again.subject + again.body_text + again.body_html
    worry.refresh_from_db()
    assert worry.realerted_at == asked + 4 * HOUR


def test_a_handled_worry_never_re_alerts(worry, django_user_model):
    clinician = django_user_model.objects.create_user("dr")
    assert concerns.mark_handled(concern=worry, by=clinician, note="Called back", now=worry.created_at + HOUR)
    assert concerns.realert_unhandled(now=worry.created_at + 10 * HOUR) == 0
    assert alerts(concerns.REALERT_KIND) == []


def test_handling_records_who_when_and_the_note_once(worry, django_user_model):
    first, second = (django_user_model.objects.create_user(name) for name in ("dr-a", "dr-b"))
    when = worry.created_at + HOUR
    assert concerns.mark_handled(concern=worry, by=first, note="  Called: healing fine. ", now=when)
    assert not concerns.mark_handled(concern=worry, by=second, note="again", now=when + HOUR)
    worry.refresh_from_db()
    assert (worry.handled_by, worry.handled_at, worry.handled_note) == (first, when, "Called: healing fine.")
    assert not AftercareCheckIn.objects.open_concerns().exists()


def test_the_beat_schedule_runs_the_re_alert_task(settings):
    from clinic.aftercare import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["realert-unhandled-concerns"]
    assert entry["task"] == tasks.realert_unhandled_concerns.name


def test_the_task_re_alerts_through_the_outbox(worry, settings, time_machine):
    time_machine.move_to(worry.created_at + 5 * HOUR, tick=False)
    from clinic.aftercare import tasks

    tasks.realert_unhandled_concerns()
    tasks.realert_unhandled_concerns()
    [again] = alerts(concerns.REALERT_KIND)
    assert again.status == Outbox.Status.PENDING  # an ordinary outbox row: the sender takes it from here
