"""Aftercare emails whose step is not signed off are held at sending, recorded, and listed on the dashboard."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.aftercare import services as aftercare
from clinic.mail import sending
from clinic.models import AftercareDelivery, Outbox
from clinic.staff import roles
from tests.helpers import soup
from tests.review_fixtures import clinical_lead, unsign
from treatments import review
from treatments.models import AftercareStep

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAY_0 = datetime.datetime(2026, 12, 7, 18, tzinfo=LONDON)
DAY_1 = datetime.datetime(2026, 12, 8, 9, tzinfo=LONDON)
DAY_3 = datetime.datetime(2026, 12, 10, 9, tzinfo=LONDON)


def rows(record):
    return list(Outbox.objects.filter(cause=aftercare.cause_of(record), kind=aftercare.KIND).order_by("send_after"))


def step(day):
    return AftercareStep.objects.get(treatment__slug="extraction", day_offset=day)


def test_an_unreviewed_step_is_held_and_the_programme_goes_on_with_the_approved_ones(make_record, mailoutbox):
    unsign(step(1))
    record = make_record()
    day_0, day_1, day_3 = rows(record)[:3]
    assert sending.send_one(day_0.pk, now=DAY_0) == Outbox.Status.SENT
    assert sending.send_one(day_1.pk, now=DAY_1) == Outbox.Status.CANCELLED
    assert sending.send_one(day_3.pk, now=DAY_3) == Outbox.Status.SENT
    assert len(mailoutbox) == 2
    day_1.refresh_from_db()
    assert day_1.last_error == "Held: Awaiting clinical sign-off"
    delivery = AftercareDelivery.objects.get(outbox=day_1)
    assert delivery.held_at == DAY_1 and delivery.held_reason == "Awaiting clinical sign-off"
    assert delivery.version is None  # nothing was handed to the mail server
    assert not AftercareDelivery.objects.exclude(pk=delivery.pk).filter(held_at__isnull=False).exists()


def test_a_step_edited_after_sign_off_is_held_until_signed_off_again(make_record, mailoutbox):
    record = make_record()
    day_1 = rows(record)[1]
    changed = step(1)
    changed.body += "!"  # one character
    changed.save()
    assert sending.send_one(day_1.pk, now=DAY_1) == Outbox.Status.CANCELLED
    assert mailoutbox == []
    assert AftercareDelivery.objects.get(outbox=day_1).held_reason == review.STATES["changed"]
    # Signed off again, the next patient's email of that step goes.
    review.sign_off(changed, user=clinical_lead(), now=DAY_1)
    later = rows(make_record(performed_at=datetime.datetime(2026, 12, 14, 11, tzinfo=LONDON)))[1]
    assert sending.send_one(later.pk, now=datetime.datetime(2026, 12, 15, 9, tzinfo=LONDON)) == Outbox.Status.SENT
    assert "!" in mailoutbox[-1].body


def test_the_patients_page_shows_only_signed_off_steps(make_record, client):
    unsign(step(0))
    record = make_record()
    so_far, coming = aftercare.programme(record, now=DAY_3)
    assert [s.day_offset for s, _ in so_far] == [1, 3]
    assert step(0).title not in [s.title for s, _ in so_far + coming]


def test_the_dashboard_lists_held_emails_and_why(make_record, staff_client, settings):
    unsign(step(1))
    record = make_record()
    sending.send_one(rows(record)[1].pk, now=DAY_1)
    dashboard = "/" + settings.ADMIN_URL
    for role in (roles.CLINICIAN, roles.CLINIC_MANAGER, roles.CONTENT_EDITOR):
        page = soup(staff_client(role).get(dashboard))
        panel = page.select_one(".held-aftercare")
        assert panel is not None, role
        text = panel.get_text(" ", strip=True)
        assert "Extraction" in text and "day 1" in text and "Awaiting clinical sign-off" in text, role
        assert panel.find("a", href=f"{dashboard}treatments/aftercarestep/{step(1).pk}/change/"), role
    assert soup(staff_client(roles.RECEPTION).get(dashboard)).select_one(".held-aftercare") is None
