"""What every booking step shows besides its form: the error summary and the booking so far.

The error summary follows the GOV.UK pattern: "There is a problem" and one link per error to
the field it is about (a radio group's link goes to its first option). The summary panel is
built from what the session holds, so later steps cost no extra query.
"""

import datetime
from typing import Any

from django import forms

from . import timing


def error_summary(form: forms.BaseForm | None) -> list[tuple[str, str]]:
    """(anchor, message) for each error of a submitted form, in the order of its fields."""
    if form is None or not form.is_bound or not form.errors:
        return []
    problems = []
    first = next(iter(form), None)
    for message in form.non_field_errors():
        problems.append((f"#{first.auto_id}" if first is not None else "#main", message))
    anchors = getattr(form, "error_anchors", {})
    for field in form:
        anchor = anchors.get(field.name) or field.auto_id
        if field.name not in anchors and isinstance(field.field.widget, forms.RadioSelect):
            anchor = f"{anchor}_0"  # a group has no element of its own: its first option
        problems.extend((f"#{anchor}", message) for message in field.errors)
    return problems


def summary_of_choice(*, kind: Any, practitioner: Any, treatment: str | None) -> dict[str, Any]:
    """The consultation chosen at step 1, in the shape the session keeps (JSON-friendly)."""
    return {
        "treatment": treatment,
        "consultation": f"{kind.name} ({kind.duration_minutes} minutes)",
        "price": f"£{kind.price}" if kind.price is not None else None,
        "practitioner": practitioner.name if practitioner is not None else "The first available practitioner",
    }


def summary_panel(state: dict[str, Any], *, now: datetime.datetime) -> dict[str, Any]:
    """The panel's rows for the steps after the first: what is chosen so far."""
    panel = dict(state.get("summary") or {})
    if not panel and state.get("treatment"):
        panel["treatment"] = state["treatment"]
    slot = state.get("slot")
    if slot:
        starts_at = datetime.datetime.fromisoformat(slot)
        panel["starts_at"] = starts_at
        panel["cannot_change_online"] = timing.inside_cutoff(starts_at, now=now)
    return panel
