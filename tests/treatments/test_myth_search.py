"""Myths answered: site search finds the "Things you may have read" section for each myth's words.

A patient who read that milia are autoimmune, hormonal, treated with steroid injections, called
"milialar" or cured best by one treatment searches those words and lands on the correction.
"""

import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.utils import timezone

from tests.helpers import soup
from treatments.models import ConditionPage
from treatments.search import search_pages

pytestmark = pytest.mark.django_db

MYTH_WORDS = ["hormones", "autoimmune", "steroid injection", "milialar", "cure rate"]


def matches(fields, words):
    vector = SearchVector(*fields, config="english")
    query = SearchQuery(words, search_type="websearch", config="english")
    return ConditionPage.objects.annotate(v=vector).filter(v=query).exists()


@pytest.mark.parametrize("words", MYTH_WORDS)
def test_search_finds_the_milia_page_by_its_myths_section(words):
    assert [page.slug for page in search_pages(words, now=timezone.now())][:1] == ["milia"]
    assert matches(["myths"], words), "the myths section itself answers these words"
    others = [name for name, _ in ConditionPage.SECTIONS if name != "myths"]
    assert not matches(["title", "summary", *others], words), "nothing else on the page would be found"


@pytest.mark.parametrize("words", [w for w in MYTH_WORDS if w != "milialar"])
def test_the_search_page_links_to_the_milia_page_for_each_myth(client, words):
    response = client.get("/search/", {"q": words})
    assert response.status_code == 200
    assert soup(response).select('main a[href^="/milia/"]')


def test_searching_milialar_reaches_the_milia_page(client):
    """Today the search view sends "milialar" to the milia page; a results page must list it."""
    response = client.get("/search/", {"q": "milialar"})
    if response.status_code == 200:
        assert soup(response).select('main a[href^="/milia/"]')
    else:
        assert response.status_code in {301, 302} and response["Location"].startswith("/milia/")


def test_the_myths_section_is_shown_on_the_milia_page(client):
    page = soup(client.get("/milia/"))
    section = page.find(id="myths")
    assert section.find("h2").text == "Things you may have read"
    assert [h.text for h in section.find_all("h3")] == [
        # Each heading states the correction, never the claim on its own.
        "Milia are not an autoimmune disease",
        "Hormones or oily skin do not cause milia",
        "Steroid injections do not treat milia",
        '"Milialar" is not a medical term or a separate condition',
        "No treatment is proven to have a better cure rate",
    ]
