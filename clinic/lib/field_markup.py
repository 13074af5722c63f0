"""A form field's markup as crispy-bootstrap5 draws it (`{{ form|crispy }}`), made in Python.

Its field template includes up to four more templates per field and one per radio option, tests
a dozen layout options the booking forms never set, and draws each input through Django's widget
templates: on a booking step that was half the page's time. Here the same elements, attributes
and text are put together with `format_html` (every value escaped as the templates escape it),
from what the templates use: the bound field's attributes (`build_widget_attrs`: required,
aria-invalid, aria-describedby), the widget's context, crispy's `optgroups`. A widget drawn by a
template other than Django's own input and textarea is drawn by its template. What is drawn:
text-like inputs, textareas, checkboxes and radio groups (`form_helper.DRAWN`);
tests/clinic/lib/test_form_helper.py compares every kind with crispy's own rendering.
"""

from collections.abc import Iterable

from crispy_forms.templatetags.crispy_forms_filters import optgroups
from django import forms
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Django's widget templates whose whole markup is an <input> or a <textarea> (django/forms/widgets/).
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "tel", "url", "number", "date", "time", "datetime", "search", "checkbox")
}
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
STAR = SafeString('<span class="asteriskField">*</span>')
NOTHING = SafeString("")


def field_html(bound: forms.BoundField) -> SafeString:
    """One field: its label (a legend for a radio group), input(s), errors and hint, in their wrapper."""
    widget = bound.field.widget
    if widget.is_hidden:
        return format_html("{}", bound)  # the widget alone, as the template's {{ field }}
    required = bound.field.required
    css = bound.css_classes()
    wrapper_classes = f" {css}" if css else ""
    invalid = " is-invalid" if bound.errors else ""
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}">{}'
            '<label for="{}" class="form-check-label{}">{}{}</label>{}{}</div></div>',
            bound.auto_id,
            wrapper_classes,
            _widget_html(bound, f"form-check-input{invalid}"),
            bound.id_for_label,
            " requiredField" if required else "",
            bound.label,
            STAR if required else "",
            _errors_html(bound),
            _help_html(bound),
        )
    fieldset = bool(bound.label) and bound.use_fieldset  # a radio group: its label is the legend
    opening = NOTHING
    if fieldset:
        described = bound.aria_describedby
        opening = format_html('<fieldset aria-describedby="{}">', described) if described else SafeString("<fieldset>")
    label = NOTHING
    if bound.label:
        tag = "legend" if fieldset else "label"
        label = format_html(
            '{}<{}{} class="form-label{}{}">{}{}</{}>',
            opening,
            tag,
            format_html(' for="{}"', bound.id_for_label) if bound.id_for_label else "",
            " requiredField" if required else "",
            " fs-6" if fieldset else "",
            bound.label,
            STAR if required else "",
            tag,
        )
    if isinstance(widget, forms.RadioSelect):
        body = format_html("<div>{}</div>{}", _options_html(bound, invalid), _help_html(bound))
    else:
        body = format_html(
            "{}{}{}", _widget_html(bound, f"form-control{invalid}"), _errors_html(bound), _help_html(bound)
        )
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}</div>',
        bound.auto_id,
        wrapper_classes,
        label,
        body,
        SafeString("</fieldset>" if fieldset else ""),
    )


def _options_html(bound: forms.BoundField, invalid: str) -> SafeString:
    """A radio group's options; the errors follow the last one."""
    parts = []
    groups = optgroups(bound)
    for group_index, (group, options, _index) in enumerate(groups):
        if group:
            parts.append(format_html("<strong>{}</strong>", group))
        for option_index, option in enumerate(options):
            last = group_index == len(groups) - 1 and option_index == len(options) - 1
            parts.append(
                format_html(
                    '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}"{}>'
                    '<label for="{}" class="form-check-label">{}</label>{}</div>',
                    option["type"],
                    invalid,
                    bound.html_name,
                    str(localize(option["value"], use_l10n=False)),
                    _attrs_html(option["attrs"]),
                    option["attrs"].get("id", ""),
                    str(localize(option["label"], use_l10n=False)),
                    _errors_html(bound) if last else NOTHING,
                )
            )
    return _joined(parts)


def _widget_html(bound: forms.BoundField, classes: str) -> SafeString:
    """The input with crispy's classes: the widget's class name (e.g. "textinput"), then `classes`."""
    widget = bound.field.widget
    class_name = widget.__class__.__name__.lower()
    class_name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(class_name, class_name)
    css = widget.attrs.get("class", "")
    css = (css if class_name in css else f"{css} {class_name}") if css else class_name
    css += "".join(f" {name}" for name in classes.split() if name not in css.split())
    template = widget.template_name
    if bound.field.localize or (template not in INPUT_TEMPLATES and template != TEXTAREA_TEMPLATE):
        return format_html("{}", bound.as_widget(attrs={"class": css}))
    attrs = bound.build_widget_attrs({"class": css}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    if template == TEXTAREA_TEMPLATE:
        attrs_html = _attrs_html(context["attrs"])
        return format_html('<textarea name="{}"{}>\n{}</textarea>', context["name"], attrs_html, context["value"] or "")
    value = context["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        format_html(' value="{}"', str(value)) if value is not None else "",
        _attrs_html(context["attrs"]),
    )


def _attrs_html(attrs: dict) -> SafeString:
    """As django/forms/widgets/attrs.html: False leaves an attribute out, True writes its name alone."""
    return _joined(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


def _errors_html(bound: forms.BoundField) -> SafeString:
    errors = bound.errors
    if not errors:
        return NOTHING
    lines = format_html_join(
        "", '<p id="error_{}_{}"><strong>{}</strong></p>', ((n, bound.auto_id, e) for n, e in enumerate(errors, 1))
    )
    return format_html('<div id="{}_error" class="invalid-feedback">{}</div>', errors.field_id, lines)  # type: ignore[attr-defined]  # (not in django-stubs)


def _help_html(bound: forms.BoundField) -> SafeString:
    if not bound.help_text:
        return NOTHING
    # A hint is plain text, escaped (crispy's template would print it unescaped; no hint holds markup).
    hint = bound.help_text
    if bound.auto_id:
        return format_html('<div id="{}_helptext" class="form-text">{}</div>', bound.auto_id, hint)
    return format_html('<div class="form-text">{}</div>', hint)


def _joined(parts: Iterable[SafeString]) -> SafeString:
    """Pieces already made safe (by `format_html`), one after another."""
    return format_html_join("", "{}", ((part,) for part in parts))
