"""Markdown for editors, rendered through a sanitiser: no scripts, handlers or iframes survive."""

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "h3", "h4", "blockquote", "code", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text):
    """Editor Markdown as HTML that is safe to put in a page or an email."""
    html = md.markdown(text or "", extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    # The only mark_safe in the project: the output has just been through the sanitiser.
    return mark_safe(cleaned)  # noqa: S308
