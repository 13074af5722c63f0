"""Editor Markdown is rendered through a sanitiser."""

import subprocess
from pathlib import Path

import html5lib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatments.markdown import render_markdown

ROOT = Path(__file__).resolve().parents[2]

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    '<iframe src="https://evil.test"></iframe>',
    "<a href=x onmouseover=alert(1)>x</a>",
    "<svg onload=alert(1)>",
    '<p style="background:url(x)">styled</p>',
]


def dangerous(html):
    tree = html5lib.parse(f"<div>{html}</div>", namespaceHTMLElements=False)
    for element in tree.iter():
        if element.tag in {"script", "iframe", "svg", "img", "style", "object", "embed"}:
            return element.tag
        for name, value in element.attrib.items():
            if name.startswith("on") or name == "style" or value.strip().lower().startswith("javascript:"):
                return f"{element.tag}[{name}]"
    return None


@pytest.mark.parametrize("payload", PAYLOADS)
def test_B2_markdown_strips_scripts_handlers_and_iframes(payload):
    assert dangerous(render_markdown(payload)) is None


@given(st.text(alphabet=st.sampled_from(list("<>\"'&=/ ascriptonerrorimgiframejavascript:()")), max_size=200))
def test_no_generated_markup_survives_as_something_dangerous(text):
    assert dangerous(render_markdown(text)) is None


def test_it_keeps_the_formatting_editors_use():
    html = render_markdown(
        "Para one.\n\n- first\n- second\n\n**bold** and [a link](https://example.org)\n\n### Heading"
    )
    assert "<li>first</li>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in html
    assert "<h3>Heading</h3>" in html


def test_B2_mark_safe_and_unescaped_output_appear_only_in_the_sanitiser():
    """A new |safe, mark_safe or autoescape off must be looked at: it bypasses escaping."""
    found = subprocess.run(
        ["grep", "-rnE", r"\|safe\b|mark_safe|autoescape off", "clinic", "treatments", "templates"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    # The sanitiser; JSON-LD escaped as json_script escapes (treatments/seo.py, tested in tests/clinic/seo/).
    allowed = [line for line in found if line.startswith(("treatments/markdown.py:", "treatments/seo.py:"))]
    assert found == allowed
