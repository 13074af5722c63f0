"""One safety net, the same everywhere: every page and every email places each warning sign at its defined level.

The levels and signs are defined once (treatments/content/safety_net.toml). These tests render the
real pages and every email template with the real content and check each sign's level, that no
sign is written by hand outside the "When to get help" block, and that each page type shows its
own signs: the condition's on the milia page, the post-procedure ones on treatment and aftercare pages.
"""

import datetime
import pathlib
import re
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings

from clinic.aftercare.services import email_context
from clinic.mail.rendering import render_email
from tests.clinic.aftercare.test_services import aftercare_rows, send, token_in
from tests.safety_net_check import check_html, check_text
from treatments import safety_net
from treatments.models import AftercareStep, ConditionPage, TreatmentPage

pytestmark = pytest.mark.django_db

SLUGS = ["extraction", "laser", "dermabrasion", "excision"]
EMAILS = pathlib.Path(django_settings.BASE_DIR) / "templates" / "emails"


def test_each_sign_is_defined_once_at_one_level_and_each_block_keeps_to_five_plus_a_catch_all():
    data = safety_net.definitions()
    assert set(data["levels"]) == set(safety_net.LEVELS)
    texts = [sign["text"] for sign in data["signs"].values()]
    assert len(texts) == len(set(texts))
    for key, sign in data["signs"].items():
        assert sign["level"] in safety_net.LEVELS, key
        assert re.search(sign["detect"], sign["text"], re.I), key
    for name in safety_net.BLOCKS:
        for level in safety_net.help_block(name):
            assert 1 <= len(level["items"]) <= 5, (name, level["key"])
            assert level["catch_all"], (name, level["key"])
    shown = {s for b in data["blocks"].values() for lv in safety_net.LEVELS if lv in b for s in b[lv]["signs"]}
    assert shown == set(data["signs"]), "every defined sign is shown somewhere"


def test_a_sign_shown_at_another_level_is_caught(settings):
    """The checker itself: move one sign to another card and it fails."""
    html = render_email("aftercare_step", email_context(AftercareStep.objects.first(), "t" * 43))[2]
    fever = safety_net.signs()["fever"]["text"]
    doc = BeautifulSoup(html, "html.parser")
    contact = doc.select_one('[data-level="contact"] ul')
    new = doc.new_tag("li")
    new.string = fever
    contact.append(new)
    problems, _ = check_html(str(doc), "tampered")
    assert any("shown as contact, defined as advice" in p for p in problems)
    by_hand = "<p>Contact us if you have a temperature of 38 °C or above.</p>"
    assert check_html(by_hand, "by hand")[0]


def pages(client, make_record, mailoutbox):
    record = make_record(slug="excision")
    at = datetime.datetime(2026, 12, 7, 18, tzinfo=ZoneInfo("Europe/London"))
    token = token_in(send(aftercare_rows(record)[0], at, mailoutbox))
    urls = ["/milia/", "/treatments/", *(f"/treatments/{slug}/" for slug in SLUGS), "/search/?q=milia"]
    urls += [f"/aftercare/{token}/", f"/aftercare/{token}/check-in/worried/", f"/aftercare/{token}/check-in/ok/"]
    return {url: client.get(url) for url in urls}


def test_every_page_places_each_sign_at_its_defined_level(client, make_record, mailoutbox):
    problems, with_block = [], set()
    for url, response in pages(client, make_record, mailoutbox).items():
        assert response.status_code == 200, url
        found, count = check_html(response.content.decode(), url)
        problems += found
        if count:
            with_block.add(url.split("/")[1] + ("/worried" if "worried" in url else ""))
    assert not problems, "\n".join(problems)
    # The milia page, each treatment page, the aftercare page and the "I'm worried" form carry the block.
    assert with_block == {"milia", "treatments", "aftercare", "aftercare/worried"}
    assert sum(1 for url, r in pages_seen(client) if "data-safety-net" in r) == 5


def pages_seen(client):
    for url in ["/milia/", *(f"/treatments/{slug}/" for slug in SLUGS)]:
        yield url, client.get(url).content.decode()


def every_email():
    """Every email template rendered with the real content (tests/clinic/mail/test_previews.py)."""
    from tests.clinic.mail.test_previews import rendered_emails

    return rendered_emails()


def test_every_email_places_each_sign_at_its_defined_level():
    problems, steps = [], 0
    for where, (_subject, text, html) in every_email().items():
        found_html, blocks_html = check_html(html, f"{where} (html)")
        found_text, blocks_text = check_text(text, f"{where} (text)")
        problems += found_html + found_text
        if where.startswith("aftercare_step"):
            steps += 1
            assert blocks_html == 1 and blocks_text == 1, where
    assert not problems, "\n".join(problems)
    assert steps == AftercareStep.objects.count() == 23


def cards(response):
    doc = BeautifulSoup(response.content, "html.parser")
    return {card["data-level"]: card for card in doc.select("[data-safety-net] [data-level]")}


def test_the_milia_page_carries_the_conditions_own_signs_and_names_the_emergency_number(client, settings):
    settings.CLINIC_EMERGENCY_NUMBER = "999"
    settings.CLINIC_EMERGENCY_DEPARTMENT = "A&E"
    shown = cards(client.get("/milia/"))
    assert set(shown) == {"contact", "emergency"}
    contact = shown["contact"].get_text(" ")
    assert "grows, bleeds" in contact and "GP" in contact
    emergency = shown["emergency"]
    heading = emergency.find("h3").get_text(" ")
    assert "Call 999 or go to A&E" in heading and "baby" in heading
    assert "high-pitched cry" in emergency.get_text(" ")
    text = " ".join(card.get_text(" ") for card in shown.values()).lower()
    for post_procedure in ("wound", "laser", "dermabrasion", "38 °c"):
        assert post_procedure not in text


@pytest.mark.parametrize("slug", SLUGS)
def test_treatment_pages_carry_post_procedure_signs_with_real_headings(client, slug):
    shown = cards(client.get(f"/treatments/{slug}/"))
    assert set(shown) == set(safety_net.LEVELS)
    assert "38 °C" in shown["advice"].get_text()
    assert "wound opening up" in shown["advice"].get_text()
    assert "does not fade" in shown["emergency"].get_text()
    assert "milia" not in shown["advice"].get_text().lower()
    for card in shown.values():
        assert card.find("h3"), "care-card titles are headings"
        assert len(card.find_all("li")) <= 5


def test_no_page_content_or_step_writes_a_sign_with_an_action_by_hand():
    """The stored text, before any template: every section, FAQ and step."""
    problems = []
    for page in [*ConditionPage.objects.all(), *TreatmentPage.objects.all()]:
        for field, _ in page.SECTIONS:
            problems += check_text(getattr(page, field), f"{page.slug}.{field}")[0]
        for faq in page.faqs.all():
            problems += check_text(faq.answer, f"{page.slug} FAQ {faq.question}")[0]
    for step in AftercareStep.objects.select_related("treatment"):
        problems += check_text(step.filled_body(), f"{step}")[0]
    assert not problems, "\n".join(problems)
