"""Patient information pages, search, and staff previews of drafts.

The public sees a page only while it is live (`treatments.review.is_live`: published and signed
off for its current text). Staff see a page that is not live at its own address too, under a
banner saying why, and a live page whose review is overdue carries a staff-only banner. The
banners sit outside the cached fragments, so the cache holds only what everyone sees.
"""

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from . import review
from .help import help_levels
from .live import with_faqs
from .models import ConditionPage, TreatmentPage
from .search import search as run_search

MILIA_SLUG = "milia"


def is_staff(request):
    """A signed-in staff member (with their one-time code, where the admin asks for one)."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return not settings.STAFF_2FA_REQUIRED or user.is_verified()


def _review_context(request, page, *, now):
    """Let the public see a live page only; staff see any, told its review state. Raises Http404."""
    state = review.sign_off_state(page, now=now)
    live = review.is_live(page, now=now)
    staff = is_staff(request)
    if not live and not staff:
        raise Http404
    return {
        "review_state": state,
        "review_label": review.STATES[state],
        "staff_view": staff,
        "live": live,
        "preview": not live,
    }


def _condition_context(page, *, now):
    published = list(TreatmentPage.objects.published())
    with_faqs([page, *published])
    treatments = review.live(published, now=now)
    return {
        "page": page,
        "treatments": treatments,
        # The cached comparison table changes when any of its pages is saved.
        "content_version": max([page.updated_at, *(t.updated_at for t in treatments)]).timestamp(),
        "faqs": page.faqs.all(),
        "help_levels": help_levels(block="condition"),
        "today": timezone.localdate(),
    }


def _treatment_context(page):
    return {"page": page, "faqs": page.faqs.all(), "help_levels": help_levels(), "today": timezone.localdate()}


def condition(request):
    now = timezone.now()
    page = get_object_or_404(ConditionPage.objects.published(), slug=MILIA_SLUG)
    context = _condition_context(page, now=now)
    return render(request, "treatments/condition.html", {**context, **_review_context(request, page, now=now)})


def treatment_index(request):
    treatments = with_faqs(list(TreatmentPage.objects.published()))
    return render(request, "treatments/index.html", {"treatments": review.live(treatments, now=timezone.now())})


def treatment_detail(request, slug):
    now = timezone.now()
    page = get_object_or_404(TreatmentPage.objects.published().prefetch_related("faqs"), slug=slug)
    context = _review_context(request, page, now=now)
    return render(request, "treatments/treatment.html", {**_treatment_context(page), **context})


def _preview_context(request, page, *, now):
    state = review.sign_off_state(page, now=now)
    return {
        "review_state": state,
        "review_label": review.STATES[state],
        "staff_view": True,
        "live": review.is_live(page, now=now),
        "preview": True,
    }


@staff_member_required
def preview_condition(request, slug):
    now = timezone.now()
    page = get_object_or_404(ConditionPage, slug=slug)
    context = {**_condition_context(page, now=now), **_preview_context(request, page, now=now)}
    return render(request, "treatments/condition.html", context)


@staff_member_required
def preview_treatment(request, slug):
    now = timezone.now()
    page = get_object_or_404(TreatmentPage.objects.prefetch_related("faqs"), slug=slug)
    context = {**_treatment_context(page), **_preview_context(request, page, now=now)}
    return render(request, "treatments/treatment.html", context)


def milialar(request):
    """'Milialar' is not a medical term; people who use it are looking for milia."""
    return redirect("treatments:condition", permanent=True)


def search(request):
    found = run_search(request.GET.get("q", ""), now=timezone.now())
    if found.only_milialar:
        # A search for the word alone: the milia page's note on the word is the answer.
        return redirect(reverse("treatments:condition") + "#milialar")
    return render(request, "treatments/search.html", {"search_query": found.query, "search": found})
