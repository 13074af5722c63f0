"""Search forgives what patients type: "milialar", small misspellings, and questions about price."""

import pytest
from django.utils import timezone

from tests.helpers import soup
from treatments.models import TreatmentPage
from treatments.search import _nearest_by_difflib, correct, search, vocabulary

pytestmark = pytest.mark.django_db


def result_links(client, query):
    page = soup(client.get("/search/", {"q": query}))
    return [a["href"] for a in page.select("main ul.list-unstyled a")], page


@pytest.mark.parametrize("query", ["milialar", "Milialar", "MILIALAR?"])
def test_milialar_alone_goes_to_the_milia_pages_note_on_the_word(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 302
    assert response["Location"] == "/milia/#milialar"


def test_milialar_keeps_the_rest_of_the_query(client):
    links, page = result_links(client, "milialar laser")
    assert links[0] == "/treatments/laser/"
    assert "not a medical term" in page.find(id="milialar-note").text
    assert page.find("input", id="search-q")["value"] == "milialar laser"


def test_milialar_with_another_word_is_read_as_milia(client):
    links, _ = result_links(client, "milialar stitches")
    assert "/treatments/excision/" in links


@pytest.mark.parametrize(
    ("query", "expected", "searched_for"),
    [
        ("millia", "/milia/", "milia"),
        ("dermabraison", "/treatments/dermabrasion/", "dermabrasion"),
        ("exision", "/treatments/excision/", "excision"),
        ("lazer", "/treatments/laser/", "laser"),
    ],
)
def test_small_misspellings_are_corrected(client, query, expected, searched_for):
    links, page = result_links(client, query)
    assert links[0] == expected
    assert f'we searched for "{searched_for}" instead' in " ".join(page.find(id="corrected-note").text.split())


def test_a_word_that_matches_is_not_corrected(client):
    _, page = result_links(client, "laser")
    assert not page.find(id="corrected-note")


def test_nonsense_is_not_corrected_into_something(client):
    links, page = result_links(client, "qwertyuiop")
    assert links == []
    assert "nothing on our site matches" in page.text


@pytest.mark.parametrize("query", ["price", "cost", "How much does it cost?", "fees"])
def test_price_questions_find_the_price_sections_and_where_consultation_prices_are(client, query):
    links, page = result_links(client, query)
    assert sorted(links) == sorted(
        f"/treatments/{s}/#price_note" for s in ["extraction", "laser", "dermabrasion", "excision"]
    )
    prices = page.find(id="prices")
    assert prices.find("a", href="/book/")


def test_a_price_question_about_one_treatment_leads_to_its_price_section(client):
    links, _ = result_links(client, "laser price")
    assert links[0] == "/treatments/laser/#price_note"


def test_price_search_leaves_out_pages_without_a_price_section(client):
    TreatmentPage.objects.filter(slug="laser").update(price_note="")
    links, _ = result_links(client, "cost")
    assert "/treatments/laser/#price_note" not in links
    assert len(links) == 3


def test_price_search_does_not_find_drafts(client):
    TreatmentPage.objects.filter(slug="laser").update(status="draft")
    assert all("laser" not in hit.url for hit in search("price", now=timezone.now()).hits)


def test_the_vocabulary_is_titles_and_headings_of_published_pages():
    words = vocabulary(now=timezone.now())
    assert {"milia", "dermabrasion", "excision", "laser", "ablation", "recovery"} <= set(words)
    TreatmentPage.objects.filter(slug="dermabrasion").update(status="draft")
    assert "dermabrasion" not in vocabulary(now=timezone.now())


def test_the_sqlite_fallback_corrects_with_difflib():
    known = vocabulary(now=timezone.now())
    assert _nearest_by_difflib("millia", known) == "milia"
    assert _nearest_by_difflib("dermabraison", known) == "dermabrasion"
    assert _nearest_by_difflib("qwertyuiop", known) is None


def test_trigram_similarity_corrects_on_postgresql(on_postgres):
    assert correct(["millia", "dermabraison", "qwertyuiop"], now=timezone.now()) == [
        "milia",
        "dermabrasion",
        "qwertyuiop",
    ]


def test_a_corrected_search_costs_a_few_queries(client, django_assert_max_num_queries):
    # Each search reads the live pages with their FAQs (the sign-off covers the FAQs' text too).
    with django_assert_max_num_queries(10):
        assert client.get("/search/", {"q": "millia"}).status_code == 200


def test_a_misspelt_treatment_with_a_price_word_leads_to_its_price_section(client):
    links, _ = result_links(client, "dermabraison cost")
    assert links[0] == "/treatments/dermabrasion/#price_note"
