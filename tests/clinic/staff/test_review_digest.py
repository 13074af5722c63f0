"""The clinic managers' weekly digest of content overdue or due soon for clinical review, through the outbox."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.mail import sending
from clinic.models import Outbox
from clinic.staff import review_digest, roles, tasks
from tests.review_fixtures import unsign
from treatments.models import AftercareStep, TreatmentPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers(django_user_model):
    group = Group.objects.get(name=roles.CLINIC_MANAGER)
    made = []
    for name, email in (("manager", "manager@clinic.example"), ("no-address", ""), ("clinician", "doc@clinic.example")):
        user = django_user_model.objects.create_user(name, email=email, is_staff=True)
        made.append(user)
        if name != "clinician":
            user.groups.add(group)
    made[-1].groups.add(Group.objects.get(name=roles.CLINICIAN))
    return made


def test_the_weekly_digest_lists_overdue_and_soon_due_items_and_goes_through_the_outbox(managers, mailoutbox):
    today = timezone.localdate()
    TreatmentPage.objects.filter(slug="laser").update(next_review_due=today - datetime.timedelta(days=3))
    TreatmentPage.objects.filter(slug="excision").update(next_review_due=today + datetime.timedelta(days=20))
    AftercareStep.objects.filter(treatment__slug="dermabrasion", day_offset=14).update(
        next_review_due=today - datetime.timedelta(days=1)
    )
    unsign(AftercareStep.objects.get(treatment__slug="excision", day_offset=5))

    tasks.send_review_digest()  # what beat runs

    rows = list(Outbox.objects.filter(kind=review_digest.KIND))
    assert [row.recipient for row in rows] == ["manager@clinic.example"]  # managers with an address only
    row = rows[0]
    assert row.status == Outbox.Status.PENDING and "review" in row.subject
    text = row.body_text
    overdue = text.split("REVIEW OVERDUE")[1].split("REVIEW DUE WITHIN")[0]
    due_soon = text.split("REVIEW DUE WITHIN 30 DAYS")[1].split("NOT SIGNED OFF")[0]
    not_live = text.split("NOT SIGNED OFF")[1]
    assert "Page: Laser ablation" in overdue and "Aftercare email: Dermabrasion, day 14" in overdue
    assert "Page: Excision" in due_soon and "Laser" not in due_soon
    assert "Aftercare email: Excision, day 5" in not_live
    assert f"{django_settings.SITE_URL}/{django_settings.ADMIN_URL}treatments/treatmentpage/" in overdue
    assert sending.send_one(row.pk, now=timezone.now()) == Outbox.Status.SENT
    assert mailoutbox[-1].to == ["manager@clinic.example"] and "Page: Laser ablation" in mailoutbox[-1].body

    tasks.send_review_digest()  # the same week again: no second email
    assert Outbox.objects.filter(kind=review_digest.KIND).count() == 1


def test_nothing_to_review_sends_nothing(managers):
    assert review_digest.send_review_digest(now=timezone.now()) == 0
    assert not Outbox.objects.filter(kind=review_digest.KIND).exists()


def test_beat_runs_the_digest_weekly():
    entry = django_settings.CELERY_BEAT_SCHEDULE["clinical-review-digest"]
    assert entry["task"] == "clinic.staff.tasks.send_review_digest"
    assert entry["schedule"].day_of_week == {1}
