"""The crispy FormHelper of the booking forms: crispy renders them through one flat field template.

crispy-bootstrap5's own field template includes up to four more templates per field (and one per
radio option) and tests a dozen layout options these forms never set; on a booking step that was
most of the page's time. `templates/forms/field.html` draws the same markup for the widgets it
knows (tests/clinic/lib/test_form_helper.py compares the two), in one template.
"""

from crispy_forms.helper import FormHelper
from django import forms

FIELD_TEMPLATE = "forms/field.html"
# What the flat template draws; anything else (a <select>, a file, a multi-widget) needs the stock one.
DRAWN = (forms.widgets.Input, forms.Textarea, forms.RadioSelect)  # text-like inputs, checkboxes, radio groups
NOT_DRAWN = (forms.FileInput, forms.CheckboxSelectMultiple)


def flat_helper(form: forms.BaseForm) -> FormHelper:
    """A helper for `{% crispy form %}` inside the page's own <form> (which holds the CSRF token and buttons)."""
    for name, field in form.fields.items():
        widget = field.widget
        if not isinstance(widget, DRAWN) or isinstance(widget, NOT_DRAWN):
            raise TypeError(f"{type(form).__name__}.{name}: {type(widget).__name__} is not drawn by {FIELD_TEMPLATE}")
    helper = FormHelper()  # no layout: crispy loops over the fields with `field_template`
    helper.form_tag = False
    helper.disable_csrf = True
    helper.field_template = FIELD_TEMPLATE
    return helper
