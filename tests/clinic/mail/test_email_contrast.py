"""Email colours meet WCAG 2.2 AA: text and button text at 4.5:1, the help levels' stripes at 3:1."""

import re
from pathlib import Path

import pytest

from tests.support.contrast import contrast_ratio

EMAILS = Path(__file__).resolve().parents[3] / "templates" / "emails"
STYLE = re.compile(r'style="([^"]*)"')
HEX = r"#[0-9a-fA-F]{6}"


def styles():
    """(template, style attribute) for every inline style of the HTML emails."""
    for path in sorted(EMAILS.rglob("*.html")):
        for style in STYLE.findall(path.read_text()):
            yield path.relative_to(EMAILS), style


def content_background():
    """The background the email's text sits on: the content column of emails/base.html."""
    base = (EMAILS / "base.html").read_text()
    column = next(s for s in STYLE.findall(base) if "max-width:600px" in s)
    return re.search(rf"background-color:({HEX})", column).group(1)


def test_the_contrast_ratio_is_computed_as_wcag_defines_it():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#b86e00", "#ffffff") == pytest.approx(3.99, abs=0.01)  # the old "I'm worried" button


def test_button_text_is_at_least_4_5_to_1_on_the_button():
    buttons = [(name, s) for name, s in styles() if "background-color" in s and re.search(rf"(?<!-)color:{HEX}", s)]
    assert len(buttons) >= 3  # the two aftercare answers and the booking emails' button
    for name, style in buttons:
        background = re.search(rf"background-color:({HEX})", style).group(1)
        text = re.search(rf"(?<!-)color:({HEX})", style).group(1)
        assert contrast_ratio(text, background) >= 4.5, (name, style)


def test_text_is_at_least_4_5_to_1_on_the_email_background():
    background = content_background()
    texts = [(name, s) for name, s in styles() if "background-color" not in s and re.search(rf"(?<!-)color:{HEX}", s)]
    assert texts
    for name, style in texts:
        text = re.search(rf"(?<!-)color:({HEX})", style).group(1)
        assert contrast_ratio(text, background) >= 4.5, (name, style)


def test_the_help_levels_stripes_are_at_least_3_to_1_on_their_box():
    (style,) = [s for name, s in styles() if "border-left" in s]
    box = re.search(rf"background-color:({HEX})", style).group(1)
    stripes = re.findall(HEX, style.split("background-color")[0])
    assert len(stripes) == 3
    for stripe in stripes:
        assert contrast_ratio(stripe, box) >= 3, stripe
