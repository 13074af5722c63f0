"""Template helpers for patient content."""

from django import template

from treatments.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def attr(obj, name):
    """A model field by name: lets one loop render a page's sections in order."""
    return getattr(obj, name)
