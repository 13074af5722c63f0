"""What the public may see: live pages (published and signed off), with their FAQs loaded in one query."""

from . import review
from .models import FAQ, ConditionPage, TreatmentPage


def with_faqs(pages):
    """Load the FAQs of several pages in one query (a page's clinical text includes its FAQs)."""
    if not pages:
        return pages
    conditions = [p.pk for p in pages if isinstance(p, ConditionPage)]
    treatments = [p.pk for p in pages if isinstance(p, TreatmentPage)]
    found = {}
    for faq in FAQ.objects.filter(condition_id__in=conditions) | FAQ.objects.filter(treatment_id__in=treatments):
        key = (ConditionPage, faq.condition_id) if faq.condition_id else (TreatmentPage, faq.treatment_id)
        found.setdefault(key, []).append(faq)
    for page in pages:
        faqs = page.faqs.all()
        faqs._result_cache = found.get((type(page), page.pk), [])
        faqs._prefetch_done = True
        page._prefetched_objects_cache = {**getattr(page, "_prefetched_objects_cache", {}), "faqs": faqs}
    return pages


def live_pages(model, *, now):
    """The live pages of a model (their FAQs loaded): what the public, search and the sitemap may see."""
    return review.live(with_faqs(list(model.objects.published())), now=now)
