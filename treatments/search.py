"""Search over live pages (published and signed off): PostgreSQL full-text search, a plain fallback on SQLite.

It forgives what patients type: "milialar" (not a medical term) is read as milia and the rest of
the query is kept; when nothing matches, words are corrected to the nearest word of the pages'
titles and headings (trigram similarity on PostgreSQL, difflib on SQLite); and price words
("cost", "fee", "how much") lead to the price sections.
"""

import difflib
import operator
import re
from dataclasses import dataclass, field
from functools import reduce

from django.db import connection
from django.db.models import Q

from . import review
from .live import live_pages, with_faqs
from .models import ConditionPage, TreatmentPage

MAX_QUERY_LENGTH = 100
MAX_WORDS = 10
WORD = re.compile(r"\w[\w'-]*")
NOT_A_TERM = "milialar"
PRICE_WORDS = frozenset(
    {"price", "prices", "pricing", "cost", "costs", "fee", "fees", "charge", "charges", "pay", "paying", "much"}
)
PRICE_SECTION = "price_note"
# How alike a typed word and a vocabulary word must be to correct one to the other.
TRIGRAM_THRESHOLD = 0.3  # pg_trgm's own default
DIFFLIB_CUTOFF = 0.75
SHORTEST_CORRECTED_WORD = 4


@dataclass
class Hit:
    page: ConditionPage | TreatmentPage
    url: str


@dataclass
class Search:
    """What was typed, what was searched for, and what was found."""

    query: str
    words: list[str] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    milialar: bool = False
    corrected: bool = False
    about_prices: bool = False

    @property
    def searched_for(self):
        return " ".join(self.words)

    @property
    def only_milialar(self):
        return self.milialar and self.words == ["milia"] and not self.about_prices


def search(query, *, now):
    """Read the query as a patient meant it and find the live pages that match."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    result = Search(query=query)
    words = [w.lower() for w in WORD.findall(query)][:MAX_WORDS]
    result.milialar = any(w.startswith(NOT_A_TERM) for w in words)
    words = ["milia" if w.startswith(NOT_A_TERM) else w for w in words]
    result.about_prices = any(w in PRICE_WORDS for w in words)
    result.words = [w for w in words if w not in PRICE_WORDS]
    pages = []
    if result.words:
        pages = search_pages(result.searched_for, now=now)
        if not pages:
            corrected = correct(result.words, now=now)
            if corrected != result.words:
                result.words, result.corrected = corrected, True
                pages = search_pages(result.searched_for, now=now)
    if result.about_prices and not pages:
        # "How much does it cost?": the rest of the question names no page, so every price section answers it.
        pages = [page for page in live_pages(TreatmentPage, now=now) if getattr(page, PRICE_SECTION)]
    result.hits = [Hit(page, _url(page, result.about_prices)) for page in pages]
    return result


def _url(page, about_prices):
    if about_prices and getattr(page, PRICE_SECTION, ""):
        return f"{page.get_absolute_url()}#{PRICE_SECTION}"
    return page.get_absolute_url()


def _text_fields(model):
    return ["title", "summary", *(name for name, _ in model.SECTIONS)]


def search_pages(query, *, now):
    """Live pages matching the query, best first: nothing unreviewed is found."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    if not query:
        return []
    results = []
    for model in (ConditionPage, TreatmentPage):
        pages = model.objects.published()
        if connection.vendor == "postgresql":
            results += _postgres(pages, model, query)
        else:
            results += _fallback(pages, model, query)
    with_faqs([page for _, page in results])
    return [page for _, page in sorted(results, key=lambda item: -item[0]) if review.is_live(page, now=now)]


def _postgres(pages, model, query):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    fields = _text_fields(model)
    vector = SearchVector(fields[0], weight="A", config="english") + SearchVector(
        *fields[1:], weight="B", config="english"
    )
    search = SearchQuery(query, search_type="websearch", config="english")
    matches = pages.annotate(rank=SearchRank(vector, search)).filter(rank__gt=0).order_by("-rank")
    return [(page.rank, page) for page in matches]


def _fallback(pages, model, query):
    words = query.split()[:MAX_WORDS]
    fields = _text_fields(model)
    condition = reduce(
        operator.and_, (reduce(operator.or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words)
    )
    return [
        (1 if all(w.lower() in page.title.lower() for w in words) else 0.5, page) for page in pages.filter(condition)
    ]


def vocabulary(*, now):
    """The words a misspelling is corrected to: the live pages' titles and the headings of their sections."""
    text = []
    for model in (ConditionPage, TreatmentPage):
        text += [label for _, label in model.SECTIONS]
        for page in live_pages(model, now=now):
            text += [page.title, page.seo_title]
    words = {w.lower() for w in WORD.findall(" ".join(text))}
    return sorted(w for w in words if len(w) >= SHORTEST_CORRECTED_WORD)


def correct(words, *, now):
    """Each word not in the vocabulary replaced by the nearest one that is close enough, if any."""
    known = vocabulary(now=now)
    return [
        word if word in known or len(word) < SHORTEST_CORRECTED_WORD else (_nearest(word, known) or word)
        for word in words
    ]


def _nearest(word, known):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT candidate FROM unnest(%s::text[]) AS candidate"
                " WHERE similarity(candidate, %s) >= %s"
                " ORDER BY similarity(candidate, %s) DESC, candidate LIMIT 1",
                [known, word, TRIGRAM_THRESHOLD, word],
            )
            row = cursor.fetchone()
        return row[0] if row else None
    return _nearest_by_difflib(word, known)


def _nearest_by_difflib(word, known):
    matches = difflib.get_close_matches(word, known, n=1, cutoff=DIFFLIB_CUTOFF)
    return matches[0] if matches else None
