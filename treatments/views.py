"""Patient information pages, search, and staff previews of drafts."""

from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from .help import help_levels
from .models import ConditionPage, TreatmentPage
from .search import search as run_search

MILIA_SLUG = "milia"


def _condition_context(page):
    treatments = list(TreatmentPage.objects.published())
    return {
        "page": page,
        "treatments": treatments,
        # The cached comparison table changes when any of its pages is saved.
        "content_version": max([page.updated_at, *(t.updated_at for t in treatments)]).timestamp(),
        "faqs": page.faqs.all(),
        "help_levels": help_levels(),
        "today": timezone.localdate(),
    }


def _treatment_context(page):
    return {"page": page, "faqs": page.faqs.all(), "help_levels": help_levels(), "today": timezone.localdate()}


def condition(request):
    page = get_object_or_404(ConditionPage.objects.published(), slug=MILIA_SLUG)
    return render(request, "treatments/condition.html", _condition_context(page))


def treatment_index(request):
    return render(request, "treatments/index.html", {"treatments": TreatmentPage.objects.published()})


def treatment_detail(request, slug):
    page = get_object_or_404(TreatmentPage.objects.published(), slug=slug)
    return render(request, "treatments/treatment.html", _treatment_context(page))


@staff_member_required
def preview_condition(request, slug):
    page = get_object_or_404(ConditionPage, slug=slug)
    return render(request, "treatments/condition.html", {**_condition_context(page), "preview": True})


@staff_member_required
def preview_treatment(request, slug):
    page = get_object_or_404(TreatmentPage, slug=slug)
    return render(request, "treatments/treatment.html", {**_treatment_context(page), "preview": True})


def milialar(request):
    """'Milialar' is not a medical term; people who use it are looking for milia."""
    return redirect("treatments:condition", permanent=True)


def search(request):
    found = run_search(request.GET.get("q", ""))
    if found.only_milialar:
        # A search for the word alone: the milia page's note on the word is the answer.
        return redirect(reverse("treatments:condition") + "#milialar")
    return render(request, "treatments/search.html", {"search_query": found.query, "search": found})
