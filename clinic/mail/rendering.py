"""Rendering emails: one helper turns templates/emails/<name>.* into a subject, a text part and an HTML part."""

import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template import engines

from clinic.context_processors import clinic_details

# An email's HTML part shown on its own page (the admin's preview, the local mailbox): a sandbox with
# no scripts, forms or origin of its own, inline styles as email is written, nothing loaded from elsewhere.
SANDBOXED_EMAIL_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def base_context() -> dict[str, Any]:
    """What every email template may use: the clinic's details and the site's address."""
    return {"clinic": clinic_details(), "site_url": settings.SITE_URL}


def render_email(name: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Render emails/<name>.subject.txt, .txt and .html; return (subject, text, html).

    The subject and the text part go through the "text" engine (plain text, not HTML-escaped);
    the HTML part through the default engine, which escapes every value.
    """
    context = {**base_context(), **context}
    text_engine = engines["text"]
    # One line, whatever the template or a value holds: a newline in a header would be injection.
    subject = " ".join(text_engine.get_template(f"emails/{name}.subject.txt").render(context).split())
    context["subject"] = subject
    text = _tidy(text_engine.get_template(f"emails/{name}.txt").render(context))
    html = engines["django"].get_template(f"emails/{name}.html").render(context)
    return subject, text, html


def _tidy(text: str) -> str:
    """Template tags leave blank lines and trailing spaces behind; a plain-text email should not show them."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
