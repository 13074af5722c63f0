"""The crispy FormHelper of the booking forms: crispy renders them, each field drawn in Python.

The helper's layout holds one `DrawnField` per field; crispy's `{% crispy form %}` renders the
layout, and each field's markup is made by `field_markup.field_html`, the same markup as
crispy-bootstrap5's field template (tests/clinic/lib/test_form_helper.py compares the two) at a
fraction of its cost. The page's own template writes the <form>, its CSRF token and its buttons.
"""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.utils.safestring import SafeString

from .field_markup import field_html

# What `field_html` draws; anything else (a <select>, a file, a multi-widget) needs crispy's own templates.
DRAWN = (forms.widgets.Input, forms.Textarea, forms.RadioSelect)  # text-like inputs, checkboxes, radio groups
NOT_DRAWN = (forms.FileInput, forms.CheckboxSelectMultiple)


class DrawnField(LayoutObject):
    """A field of a crispy layout, drawn by `field_html`."""

    def __init__(self, name: str) -> None:
        self.fields = [name]

    def render(self, form: forms.BaseForm, context: Any, template_pack: str = TEMPLATE_PACK, **_: Any) -> SafeString:
        name = self.fields[0]
        form.rendered_fields.add(name)  # type: ignore[attr-defined]  # crispy's, set by render_layout
        return field_html(form[name])


def drawn_fields_helper(form: forms.BaseForm) -> FormHelper:
    """A helper for `{% crispy form %}` inside the page's own <form>, every field a `DrawnField`."""
    for name, field in form.fields.items():
        widget = field.widget
        if not isinstance(widget, DRAWN) or isinstance(widget, NOT_DRAWN):
            raise TypeError(f"{type(form).__name__}.{name}: {type(widget).__name__} is not drawn by field_html")
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*(DrawnField(name) for name in form.fields))
    return helper
