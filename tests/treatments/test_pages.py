"""The patient information pages, search and the governance around them."""

import datetime

import pytest
from django.utils import timezone

from tests.helpers import soup
from tests.review_fixtures import clinical_lead, unsign
from treatments import review
from treatments.models import ConditionPage, TreatmentPage
from treatments.search import _fallback

pytestmark = pytest.mark.django_db

TREATMENT_SLUGS = ["extraction", "laser", "dermabrasion", "excision"]


def test_the_milia_page_has_every_section_and_the_comparison_table(client):
    response = client.get("/milia/")
    page = soup(response)
    assert response.status_code == 200
    headings = [h.text for h in page.find("main").find_all("h2")]
    for heading in [
        "What milia are",
        "Types of milia",
        "Causes and triggers",
        "Milia, whiteheads and miliaria",
        "Do milia go away?",
        "When to see a doctor",
        "What not to do",
        "Comparing the treatments",
    ]:
        assert heading in headings
    assert "not a diagnosis" in page.find("main").text
    table = page.find("table")
    assert [th.text for th in table.find("thead").find_all("th")][1:] == [
        "Extraction (de-roofing)",
        "Laser ablation",
        "Dermabrasion",
        "Excision",
    ]
    rows = [tr.find("th").text for tr in table.find("tbody").find_all("tr")]
    assert len(rows) == 8 and "Risk of colour change" in rows
    assert page.find(id="milialar-heading")


@pytest.mark.parametrize("slug", TREATMENT_SLUGS)
def test_each_treatment_page_has_its_sections_glance_box_and_booking_link(client, slug):
    response = client.get(f"/treatments/{slug}/")
    page = soup(response)
    assert response.status_code == 200
    headings = [h.text for h in page.find("main").find_all("h2")]
    for heading in [
        "What it is",
        "Who it suits",
        "On the day",
        "Recovery",
        "Risks and side effects",
        "Aftercare",
        "At a glance",
        "When to get help",
    ]:
        assert heading in headings, heading
    assert page.find("a", href=f"/book/?treatment={slug}").text == "Book a consultation"
    assert len(page.select(".at-a-glance dt")) == 4


def test_the_index_lists_the_four_treatments_in_order(client):
    page = soup(client.get("/treatments/"))
    assert [a["href"] for a in page.select("main h2 a")] == [f"/treatments/{s}/" for s in TREATMENT_SLUGS]


def test_pages_say_they_await_clinical_review_until_reviewed(client, admin_client):
    # Unreviewed, the public gets a 404 (tests/treatments/test_review.py); staff see what the page would say.
    unsign(TreatmentPage.objects.get(slug="laser"))
    assert client.get("/treatments/laser/").status_code == 404
    footer = soup(admin_client.get("/treatments/laser/")).find("footer").text
    assert "awaiting clinical review" in footer
    assert "Page last reviewed" not in footer
    assert "To be confirmed by our clinicians" in admin_client.get("/treatments/laser/").content.decode()


def test_a_reviewed_page_shows_its_review_dates_and_drops_the_to_be_confirmed_box(client):
    TreatmentPage.objects.filter(slug="laser").update(
        reviewed_by="Dr A. Example, consultant dermatologist",
        reviewed_on=datetime.date(2026, 11, 1),
        next_review_due=datetime.date(2027, 11, 1),
    )
    body = client.get("/treatments/laser/").content.decode()
    assert "Page last reviewed: 1 November 2026" in body
    assert "Next review due: 1 November 2027" in body
    assert "awaiting clinical review" not in body
    assert "To be confirmed by our clinicians" not in body


def test_saving_a_page_shows_the_change_at_once_despite_the_cache(client):
    client.get("/treatments/laser/")
    page = TreatmentPage.objects.get(slug="laser")
    page.summary = "CHANGED-SUMMARY"
    page.save()
    review.sign_off(page, user=clinical_lead(), now=timezone.now())  # an edit needs a new sign-off
    assert "CHANGED-SUMMARY" in client.get("/treatments/laser/").content.decode()
    assert "CHANGED-SUMMARY" in client.get("/treatments/").content.decode()


def test_changing_a_treatment_updates_the_cached_comparison_table(client):
    client.get("/milia/")
    page = TreatmentPage.objects.get(slug="excision")
    page.downtime = "CHANGED-DOWNTIME"
    page.save()
    review.sign_off(page, user=clinical_lead(), now=timezone.now())
    assert "CHANGED-DOWNTIME" in client.get("/milia/").content.decode()


def test_drafts_are_hidden_from_patients_and_previewable_by_staff(client, admin_client):
    TreatmentPage.objects.filter(slug="laser").update(status="draft")
    assert client.get("/treatments/laser/").status_code == 404
    assert client.get("/preview/treatments/laser/").status_code == 302  # to the staff login
    response = admin_client.get("/preview/treatments/laser/")
    assert response.status_code == 200
    assert "Staff preview of a draft" in soup(response).text.replace("\n", " ").replace("  ", " ")
    assert "laser" not in [a["href"] for a in soup(client.get("/treatments/")).select("main h2 a")]


def test_a_draft_condition_page_is_a_404_for_patients(client, admin_client):
    ConditionPage.objects.update(status="draft")
    assert client.get("/milia/").status_code == 404
    assert admin_client.get("/preview/condition/milia/").status_code == 200


def test_milialar_is_redirected_to_the_milia_page(client):
    response = client.get("/milialar/")
    assert response.status_code == 301
    assert response["Location"] == "/milia/"


def test_search_finds_published_pages(client, on_postgres):
    page = soup(client.get("/search/", {"q": "stitches"}))
    links = [a["href"] for a in page.select("main ul a")]
    assert "/treatments/excision/" in links
    assert "/treatments/extraction/" not in links[:1]


def test_search_does_not_find_drafts(client):
    TreatmentPage.objects.filter(slug="excision").update(status="draft")
    page = soup(client.get("/search/", {"q": "stitches"}))
    assert "/treatments/excision/" not in [a["href"] for a in page.select("main ul a")]


def test_the_fallback_search_matches_every_word():
    found = [p.slug for _, p in _fallback(TreatmentPage.objects.published(), TreatmentPage, "stitches scar")]
    assert "excision" in found
    assert _fallback(TreatmentPage.objects.published(), TreatmentPage, "zzqx stitches") == []


def test_search_with_no_results_or_no_query_is_friendly(client):
    empty = client.get("/search/", {"q": ""})
    assert empty.status_code == 200
    assert "Type a word" in empty.content.decode()
    none = client.get("/search/", {"q": "qwertyuiop"})
    assert none.status_code == 200
    assert "nothing on our site matches" in none.content.decode()


def test_the_help_block_uses_the_numbers_from_settings(client, settings):
    settings.CLINIC_EMERGENCY_NUMBER = "112"
    settings.CLINIC_OUT_OF_HOURS_ADVICE = "CANARY advice line"
    settings.CLINIC_URGENT_PHONE = "0700 000 111"
    block = soup(client.get("/treatments/excision/")).find("section", class_="help-block").text
    assert "Call 112" in block
    assert "CANARY advice line" in block
    assert "0700 000 111" in block
    assert "999" not in block


@pytest.mark.parametrize("url", ["/milia/", "/treatments/", "/treatments/laser/", "/search/?q=laser"])
def test_content_pages_cost_a_few_queries(client, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(3):
        assert client.get(url).status_code in {200}
