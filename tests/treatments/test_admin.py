"""The content admin: editors find pages whose clinical review is due."""

import datetime

import pytest
import time_machine

from tests.helpers import soup
from tests.review_fixtures import unsign
from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 11, 26, 12, tzinfo=datetime.UTC), tick=False)
def test_the_review_filter_lists_overdue_and_soon_due_pages(admin_client):
    reviewed = {"reviewed_by": "Dr Example", "reviewed_on": datetime.date(2025, 11, 1)}
    TreatmentPage.objects.filter(slug="laser").update(**reviewed, next_review_due=datetime.date(2026, 11, 1))
    TreatmentPage.objects.filter(slug="excision").update(**reviewed, next_review_due=datetime.date(2026, 12, 20))
    TreatmentPage.objects.filter(slug="extraction").update(**reviewed, next_review_due=datetime.date(2027, 6, 1))
    unsign(TreatmentPage.objects.get(slug="dermabrasion"))

    def titles(review):
        page = soup(admin_client.get("/admin/treatments/treatmentpage/", {"review": review}))
        return sorted(a.text for a in page.select("#result_list tbody th a"))

    assert titles("overdue") == ["Laser ablation"]
    assert titles("due_soon") == ["Excision"]
    assert titles("awaiting") == ["Dermabrasion"]
    assert titles("current") == ["Extraction (de-roofing)"]


def test_editors_edit_a_treatment_with_its_faqs(admin_client):
    response = admin_client.get(f"/admin/treatments/treatmentpage/{TreatmentPage.objects.get(slug='laser').pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    for field in ("what_it_is", "risks", "clinic_decisions", "faqs-0-question"):
        assert f'name="{field}"' in body, field
    # The sign-off is made by a clinician's action, never typed: its fields are shown, not editable.
    for field in ("reviewed_by", "reviewed_on", "next_review_due"):
        assert f'name="{field}"' not in body, field
    assert "Clinical sign-off" in body
