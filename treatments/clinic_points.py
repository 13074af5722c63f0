"""The clinic's open [CLINIC] decisions, and where each appears in the content as it is now.

The points are data (`treatments/content/clinic_points.toml`, from the fact brief's [CLINIC]
markers); where each appears is found in the live content — every page section, FAQ and
aftercare email whose text mentions it — with that item's sign-off state, so the clinical
lead's checklist (clinic.admin.checklist) stays true as editors change the text.
"""

from dataclasses import dataclass, field

from django.template.loader import get_template
from django.urls import reverse

from . import content, review
from .live import with_faqs
from .models import AftercareStep, ConditionPage, TreatmentPage


@dataclass
class Place:
    """One page, aftercare email or template where a point appears, and in which of its parts."""

    name: str
    kind: str  # "page", "aftercare email" or "template"
    parts: list[str] = field(default_factory=list)
    item: object = None
    state: str = ""  # a review.STATES key; "" for a template (not signed off in the admin)
    edit_url: str = ""

    @property
    def state_label(self):
        return review.STATES.get(self.state, "Site template: changed in the code, not the admin")

    @property
    def signed_off(self):
        return self.state not in review.NOT_LIVE

    @property
    def model_name(self):
        return self.item._meta.model_name if self.item is not None else ""


@dataclass
class Point:
    key: str
    label: str
    brief: str
    phrases: list[str]
    places: list[Place] = field(default_factory=list)

    @property
    def signed_off(self):
        """Every page and email where it appears is signed off (a point found nowhere is not)."""
        items = [place for place in self.places if place.item is not None]
        return bool(items) and all(place.signed_off for place in items)


def declared_points():
    """The points as the content file declares them."""
    return content.read("clinic_points")["clinic_points"]


def _mentions(text, phrases):
    text = str(text).lower()
    return any(phrase.lower() in text for phrase in phrases)


def _field_label(model, name):
    return str(model._meta.get_field(name).verbose_name).capitalize()


def _item_places(phrases, items, *, now):
    places = []
    for item in items:
        model = type(item)
        parts = [_field_label(model, name) for name in item.CLINICAL_FIELDS if _mentions(getattr(item, name), phrases)]
        if hasattr(item, "faqs"):
            faqs = item.faqs.all()
            parts += [f"FAQ: {faq.question}" for faq in faqs if _mentions(faq.question + faq.answer, phrases)]
        if not parts:
            continue
        if isinstance(item, AftercareStep):
            name, kind = f"{item.treatment.title}: day {item.day_offset} email ({item.title})", "aftercare email"
        else:
            name, kind = item.title, "page"
        url = reverse(f"admin:treatments_{item._meta.model_name}_change", args=[item.pk])
        state = review.sign_off_state(item, now=now)
        places.append(Place(name=name, kind=kind, parts=parts, item=item, state=state, edit_url=url))
    return places


def checklist(*, now):
    """Every declared point with the places it appears, in the content's order."""
    pages = with_faqs([*ConditionPage.objects.all(), *TreatmentPage.objects.all()])
    steps = list(AftercareStep.objects.select_related("treatment").order_by("treatment__order", "day_offset"))
    points = []
    for data in declared_points():
        phrases = data["phrases"]
        point = Point(key=data["key"], label=data["label"], brief=data.get("brief", ""), phrases=phrases)
        point.places = _item_places(phrases, [*pages, *steps], now=now)
        for name in data.get("templates", []):
            if _mentions(get_template(name).template.source, phrases):
                point.places.append(Place(name=name, kind="template", parts=["Wording in the template"]))
        points.append(point)
    return points
