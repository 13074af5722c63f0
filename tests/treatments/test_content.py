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


def all_text(page, *, answering_myths=False):
    """Every text of a page and its FAQs; without the "Things you may have read" section unless asked.

    That section names each myth in order to answer it.
    """
    fields = [f.name for f in page._meta.fields if f.get_internal_type() in {"TextField", "CharField"}]
    if not answering_myths:
        fields = [f for f in fields if f != "myths"]
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


def test_milialar_appears_only_in_the_note_explaining_the_word_and_the_myths_section():
    page = ConditionPage.objects.get()
    assert "milialar" in page.milialar_note.lower()
    assert "milialar" in page.myths.lower()
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
    assert "brown and black skin" in all_text(page).lower()
    assert "darker skin" not in all_text(page).lower()
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


# The myths answered (issue 14): each myth in the brief, corrected, with its sources.
MYTH_ANSWERS = [
    ("autoimmune", r"not an? (immune|autoimmune)|They are not"),
    ("hormones or oily skin", r"do not list hormones or oily skin"),
    ("steroid injections", r"No medical reference lists steroid injections"),
    ("milialar", r"not a medical term"),
    ("cure rate", r"no treatment has been shown to work best"),
]


@pytest.mark.parametrize(("myth", "answer"), MYTH_ANSWERS)
def test_the_milia_page_answers_each_myth_with_its_sources(myth, answer):
    sections = ConditionPage.objects.get().myths.split("### ")[1:]
    section = next(s for s in sections if myth in s.splitlines()[0].lower())
    assert re.search(answer, section, re.I), myth
    assert re.search(r"^Sources: .+", section, re.M), myth


def test_dermabrasion_wording_and_the_comparison_table_follow_the_brief():
    dermabrasion = TreatmentPage.objects.get(slug="dermabrasion")
    assert "gently" not in all_text(dermabrasion).lower()
    assert "brown and black skin" in dermabrasion.scar_risk
    assert not dermabrasion.scar_risk.lower().startswith("rare")
    for page in TreatmentPage.objects.all():
        assert "brown and black skin" in page.colour_change, page.slug


@pytest.mark.parametrize(
    ("term", "explained"),
    [
        ("ablative", r"Ablative means"),
        ("erbium", r"erbium, a metal"),
        ("retinoid", r"retinoids \(skin creams made from vitamin A\)"),
        ("SPF", r"SPF, the sun protection factor"),
        ("rosacea", r"rosacea \(a long-term condition"),
    ],
)
def test_technical_terms_are_explained_where_they_appear(term, explained):
    """On every page, and in every aftercare step, that uses the term."""
    texts = {page.slug: all_text(page) for page in [*ConditionPage.objects.all(), *TreatmentPage.objects.all()]}
    texts |= {str(step): step.body for step in AftercareStep.objects.all()}
    using = [where for where, text in texts.items() if term in text]
    assert using, term
    for where in using:
        assert re.search(explained, texts[where]), (term, where)
