"""The booking forms' fields, drawn in Python, are what crispy-bootstrap5's own templates draw.

`{% crispy form %}` with `clinic.lib.form_helper.drawn_fields_helper` renders each field through
templates/forms/field.html; `{{ form|crispy }}` through the stock pack. The two are compared as
parsed HTML (tags, attributes, text; not the whitespace between tags) for every widget kind the
template knows, unbound, with a patient's answers, and with each kind of error.
"""

import pytest
from bs4 import BeautifulSoup, Comment, NavigableString
from django import forms
from django.template import engines

from clinic.booking.forms import ChooseConsultationForm, DetailsForm, QuestionnaireForm
from clinic.lib.form_helper import drawn_fields_helper
from tests.clinic.booking.flow import ANSWERS, DETAILS

STOCK = engines["django"].from_string("{% load crispy_forms_tags %}{{ form|crispy }}")
FLAT = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")


def tree(html):
    """Each element as (tag, sorted attributes, children); text with its whitespace collapsed."""

    def walk(node):
        children = []
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                text = " ".join(child.split())
                if text and children and isinstance(children[-1], str):
                    children[-1] += " " + text
                elif text:
                    children.append(text)
                continue
            attrs = {name: " ".join(v) if isinstance(v, list) else v for name, v in child.attrs.items()}
            children.append((child.name, sorted(attrs.items()), walk(child)))
        return children

    return walk(BeautifulSoup(html, "html.parser"))


def assert_same_markup(make_form):
    stock, flat = make_form(), make_form()
    drawn = FLAT.render({"form": flat})
    assert "<form" not in drawn and "csrfmiddlewaretoken" not in drawn  # the page's own <form> holds both
    assert tree(drawn) == tree(STOCK.render({"form": stock}))
    return drawn


def test_details_form_same_as_crispy_bootstrap5():
    drawn = assert_same_markup(DetailsForm)
    assert 'autocomplete="bday"' in drawn and 'aria-describedby="id_email_helptext"' in drawn
    assert_same_markup(lambda: DetailsForm(initial={**DETAILS, "privacy_consent": True, "marketing_consent": True}))
    assert_same_markup(lambda: DetailsForm({**DETAILS, "marketing_consent": "on"}))


def test_details_form_errors_same_as_crispy_bootstrap5():
    bad = {"name": "", "email": "not an address", "phone": "x", "date_of_birth": "2999-01-01", "notes": "n" * 2001}
    drawn = assert_same_markup(lambda: DetailsForm(bad))
    page = BeautifulSoup(drawn, "html.parser")
    # Each field says what is wrong next to it, and points to it: text inputs, the textarea, the checkbox.
    for name in ("name", "email", "phone", "date_of_birth", "notes", "privacy_consent"):
        field = page.find(id=f"id_{name}")
        assert field["aria-invalid"] == "true"
        assert f"id_{name}_error" in field["aria-describedby"].split()
        assert page.find(id=f"id_{name}_error").get_text(strip=True)


def test_questionnaire_same_as_crispy_bootstrap5():
    assert_same_markup(QuestionnaireForm)
    assert_same_markup(lambda: QuestionnaireForm(initial=ANSWERS))
    drawn = assert_same_markup(lambda: QuestionnaireForm({"cold_sores": "yes", "pregnant": "maybe"}))
    page = BeautifulSoup(drawn, "html.parser")
    group = page.find(id="div_id_pregnant").fieldset
    assert group["aria-describedby"] == "id_pregnant_error" and group.legend.get_text(strip=True).startswith("Are you")
    assert page.find(id="id_cold_sores_0").has_attr("checked")
    assert [i["aria-invalid"] for i in page.find_all("input", attrs={"name": "pregnant"})] == ["true"] * 3


@pytest.mark.django_db
def test_step_one_same_as_crispy_bootstrap5(clinic_schedule):
    assert_same_markup(ChooseConsultationForm)
    assert_same_markup(lambda: ChooseConsultationForm({"consultation_type": "nothing", "practitioner": "x"}))
    chosen = {"consultation_type": "milia-consultation", "practitioner": "any"}
    assert_same_markup(lambda: ChooseConsultationForm(chosen))


class Odd(forms.Form):
    """What the booking forms do not have yet: hints on a radio group and a checkbox, option groups,
    a field with no label, a hidden one, a class on the widget, the form's own row classes."""

    required_css_class = "needed"
    error_css_class = "wrong"
    size = forms.ChoiceField(
        choices=[("Small", [("s", "S <small>"), ("xs", "XS")]), ("l", "Large & wide")],
        widget=forms.RadioSelect,
        help_text="Pick one & only one.",  # plain text: escaped here, printed as is by crispy; parsed alike
    )
    agree = forms.BooleanField(required=False, help_text="Optional.")
    code = forms.CharField(label="", max_length=5, widget=forms.TextInput(attrs={"class": "mono", "data-x": "1"}))
    count = forms.IntegerField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    story = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = drawn_fields_helper(self)


def test_other_shapes_same_as_crispy_bootstrap5():
    assert_same_markup(Odd)
    assert_same_markup(lambda: Odd(initial={"size": "xs", "agree": True, "story": "<b>once</b>", "secret": "z"}))
    assert_same_markup(lambda: Odd({"size": "m", "code": "toolong", "count": "x", "story": "\nlines\n"}))


def test_a_widget_the_template_does_not_draw_is_refused():
    class WithSelect(forms.Form):
        size = forms.ChoiceField(choices=[("s", "Small")])

    with pytest.raises(TypeError, match="WithSelect.size: Select"):
        drawn_fields_helper(WithSelect())
