"""Search over live pages (published and signed off): PostgreSQL full-text search, a plain fallback on SQLite."""

import operator
from functools import reduce

from django.db import connection
from django.db.models import Q

from . import review
from .models import ConditionPage, TreatmentPage, with_faqs

MAX_QUERY_LENGTH = 100


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
    words = query.split()[:10]
    fields = _text_fields(model)
    condition = reduce(
        operator.and_, (reduce(operator.or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words)
    )
    return [
        (1 if all(w.lower() in page.title.lower() for w in words) else 0.5, page) for page in pages.filter(condition)
    ]
