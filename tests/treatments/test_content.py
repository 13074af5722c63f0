"""The initial content: all five pages, published, accurate to the fact brief, awaiting review."""

import importlib
import re

import pytest
from django.utils import timezone

from treatments import content, review
from treatments.models import AftercareStep, ConditionPage, TreatmentPage

pytestmark = pytest.mark.django_db

MYTHS = [
    r"autoimmune",
    r"steroid injection",
    r"cure rate",
    r"hormon",
    r"\boil(y)? (glands?|production)",
    r"\bsebum\b",
    r"\bbest treatment\b",
    r"milialar (is|are) (a|an) ",
]


def all_text(page):
    fields = [f.name for f in page._meta.fields if f.get_internal_type() in {"TextField", "CharField"}]
    return " ".join(str(getattr(page, f)) for f in fields) + " ".join(f.question + f.answer for f in page.faqs.all())


def test_the_milia_page_and_four_treatments_are_loaded_and_published():
    assert ConditionPage.objects.published().get().slug == "milia"
    assert list(TreatmentPage.objects.published().values_list("slug", flat=True)) == [
        "extraction",
        "laser",
        "dermabrasion",
        "excision",
    ]


def test_the_content_migration_loads_every_page_and_step_awaiting_review_and_not_live():
    # The tests' database has the content signed off (tests/review_fixtures.py): load it afresh.
    from django.apps import apps

    migration = importlib.import_module("treatments.migrations.0002_initial_content")
    AftercareStep.objects.all().delete()
    ConditionPage.objects.all().delete()
    TreatmentPage.objects.all().delete()
    migration.load(apps, None)
    now = timezone.now()
    pages = [*ConditionPage.objects.all(), *TreatmentPage.objects.all()]
    items = [*pages, *AftercareStep.objects.all()]
    assert len(pages) == 5
    assert len(items) == 28
    assert all(item.awaiting_review for item in items)
    assert not any(review.is_live(item, now=now) for item in items)
    assert all(item.reviewed_on is None and not item.signed_off_fingerprint for item in items)


@pytest.mark.parametrize("myth", MYTHS)
def test_no_page_repeats_a_myth_the_brief_corrects(myth):
    for page in [*ConditionPage.objects.all(), *TreatmentPage.objects.all()]:
        assert not re.search(myth, all_text(page), re.I), (page.slug, myth)


def test_milialar_appears_only_in_the_note_explaining_the_word():
    page = ConditionPage.objects.get()
    assert "milialar" in page.milialar_note.lower()
    assert "milialar" not in all_text(page).lower().replace(page.milialar_note.lower(), "")
    for treatment in TreatmentPage.objects.all():
        assert "milialar" not in all_text(treatment).lower()


def test_excision_is_presented_honestly():
    text = all_text(TreatmentPage.objects.get(slug="excision")).lower()
    assert "not a routine" in text
    assert "scar" in text
    assert re.search(r"diagnosis|not sure what|laboratory|lab", text)


@pytest.mark.parametrize("slug", ["laser", "dermabrasion"])
def test_laser_and_dermabrasion_warn_about_milia_and_darker_skin(slug):
    page = TreatmentPage.objects.get(slug=slug)
    assert "milia" in page.risks.lower()
    assert "darker skin" in all_text(page).lower()
    assert "cold sore" in all_text(page).lower()
    assert "isotretinoin" in all_text(page).lower()


def test_every_treatment_lists_its_open_clinic_decisions_and_at_a_glance_facts():
    for page in TreatmentPage.objects.all():
        assert "\n- " in page.clinic_decisions, page.slug
        assert all([page.duration, page.anaesthetic, page.downtime, page.visits]), page.slug


def test_no_emergency_or_advice_number_is_hard_coded_in_content():
    text = "".join(path.read_text() for path in content.FOLDER.glob("*.toml"))
    assert "Laser ablation" in text  # the content files were read
    assert not re.search(r"\b(999|111|112|911|000)\b", text)
