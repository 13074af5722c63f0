"""Rendering emails: three parts from one name, plain text that reads on its own, escaped HTML, safe subjects."""

import re
from pathlib import Path

import html5lib
import pytest
from bs4 import BeautifulSoup

from clinic.lib.links import absolute_url
from clinic.mail.rendering import render_email
from treatments.help import help_levels

ROOT = Path(__file__).resolve().parents[3]
EMAILS = ROOT / "templates" / "emails"
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def email_names():
    return sorted(p.name.removesuffix(".subject.txt") for p in EMAILS.glob("*.subject.txt"))


def test_one_helper_renders_the_subject_text_and_html_parts(settings):
    subject, text, html = render_email("test_message", {"name": "Pat"})
    assert subject == f"A message from {settings.CLINIC_NAME}"
    # The neutral preheader line first (tests/clinic/mail/test_previews.py), then the message.
    assert text.startswith(f"A test message from {settings.CLINIC_NAME}.\n\nDear Pat,\n")
    assert BeautifulSoup(html, "html.parser").find("title").text == subject


def test_every_email_has_all_three_parts():
    names = email_names()
    assert {"staff_alert", "test_message"} <= set(names)
    for name in names:
        assert (EMAILS / f"{name}.txt").exists(), name
        assert (EMAILS / f"{name}.html").exists(), name


def test_B3_a_line_break_in_a_value_cannot_reach_the_subject(settings):
    settings.CLINIC_NAME = "Riverside\r\nBcc: x@evil.test"
    subject, _, _ = render_email("test_message", {})
    assert "\n" not in subject and "\r" not in subject
    assert subject == "A message from Riverside Bcc: x@evil.test"


def test_the_text_part_is_plain_text_not_html_escaped(settings):
    settings.CLINIC_EMERGENCY_DEPARTMENT = "A&E"
    _, text, _ = render_email(
        "test_message", {"name": "Tom & Jerry's <Clinic>", "clinical": True, "help_levels": help_levels()}
    )
    assert "Dear Tom & Jerry's <Clinic>," in text
    assert "go to A&E now" in text
    assert "&amp;" not in text and "&#x27;" not in text
    assert "\n\n\n" not in text  # template tags leave no gaps


def test_B2_the_html_part_escapes_every_value():
    _, _, html = render_email("test_message", {"name": XSS, "link": "javascript:alert(3)"})
    document = html5lib.parse(html, namespaceHTMLElements=False)
    assert document.findall(".//script") == []
    assert not [el for el in document.iter() if any(attr.startswith("on") for attr in el.attrib)]
    assert "&lt;script&gt;" in html


def test_the_html_part_is_simple_inline_styled_html():
    _, _, html = render_email("test_message", {"name": "Pat", "clinical": True})
    page = BeautifulSoup(html, "html.parser")
    assert page.find("html")["lang"] == "en-GB"
    assert page.find_all("style") == [] and page.find_all("link") == [] and page.find_all("script") == []
    assert page.find("div", style=re.compile("max-width:600px"))


@pytest.mark.parametrize("part", [1, 2])
def test_every_email_ends_with_the_clinics_details_and_the_urgent_problems_warning(settings, part):
    rendered = render_email("test_message", {})[part]
    text = BeautifulSoup(rendered, "html.parser").get_text(" ") if part == 2 else rendered
    for detail in (settings.CLINIC_NAME, settings.CLINIC_ADDRESS, settings.CLINIC_PHONE, settings.CLINIC_EMAIL):
        assert detail in text
    assert "Replies to this email are not watched for urgent problems" in text
    assert f"In an emergency call {settings.CLINIC_EMERGENCY_NUMBER}" in text


@pytest.mark.parametrize("part", [1, 2])
def test_clinical_mail_carries_the_three_level_help_block_from_settings(settings, part):
    settings.CLINIC_EMERGENCY_NUMBER = "112"
    settings.CLINIC_OUT_OF_HOURS_ADVICE = "the out-of-hours line"
    rendered = render_email("test_message", {"clinical": True, "help_levels": help_levels()})[part]
    text = BeautifulSoup(rendered, "html.parser").get_text(" ") if part == 2 else rendered
    assert "When to get help".lower() in text.lower()
    assert "Non-urgent advice".lower() in text.lower()
    assert "Urgent advice".lower() in text.lower()
    assert "Emergency: Call 112".lower() in text.lower()
    assert "the out-of-hours line" in text
    assert "999" not in text


def test_non_clinical_mail_has_no_help_block():
    _, text, html = render_email("test_message", {})
    assert "When to get help".upper() not in text and "When to get help" not in html


def test_A4_links_are_built_from_site_url(settings):
    settings.SITE_URL = "https://clinic.test"
    _, text, html = render_email("test_message", {"link": absolute_url("/book/")})
    assert "https://clinic.test/book/" in text
    assert 'href="https://clinic.test/book/"' in html


def test_the_staff_alert_names_only_the_email_number_and_the_admin_link(settings):
    subject, text, html = render_email("staff_alert", {"outbox_id": 42, "admin_url": "https://clinic.test/admin/x/"})
    assert re.fullmatch(rf"{re.escape(settings.CLINIC_NAME)}: an email could not be sent", subject)
    assert "#42" in text and "https://clinic.test/admin/x/" in text
    assert 'href="https://clinic.test/admin/x/"' in html


def test_no_email_template_or_renderer_switches_escaping_off():
    """B2: escaping stays on everywhere; the text engine is the only unescaped path."""
    files = [*EMAILS.rglob("*.html"), *EMAILS.rglob("*.txt"), ROOT / "clinic" / "mail" / "rendering.py"]
    for path in files:
        source = path.read_text()
        for banned in ("|safe", "mark_safe", "autoescape off", "safeseq"):
            assert banned not in source, f"{banned} in {path}"
