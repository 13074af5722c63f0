"""The clinical lead's checklist of [CLINIC] decisions, where each appears, and signing off from it."""

import pytest
from django.utils import timezone

from clinic.staff import roles
from tests.helpers import soup
from tests.review_fixtures import unsign
from treatments import clinic_points, review
from treatments.models import AftercareStep, TreatmentPage

pytestmark = pytest.mark.django_db

SEVEN = {
    "pain-relief": "Pain relief",
    "petroleum-jelly": "Petroleum jelly",
    "swimming": "Swimming",
    "stitch-removal-day": "Stitch-removal day",
    "sunscreen-length": "Sunscreen",
    "make-up": "Make-up",
    "call-back-promise": "Call-back promise",
}


def url(settings):
    return f"/{settings.ADMIN_URL}clinical-checklist/"


def test_the_content_declares_the_seven_points_and_each_is_found_in_the_content():
    points = {point.key: point for point in clinic_points.checklist(now=timezone.now())}
    assert set(SEVEN) <= set(points)
    for key in SEVEN:
        assert points[key].places, key  # the wording still marks it somewhere
    stitches = points["stitch-removal-day"]
    assert {place.name for place in stitches.places if place.kind == "page"} == {"Excision"}
    assert any(place.kind == "aftercare email" and "day 5" in place.name for place in stitches.places)
    callback = points["call-back-promise"]
    assert "aftercare/checked_in.html" in {place.name for place in callback.places}


def test_a_point_follows_the_content_as_editors_change_it():
    page = TreatmentPage.objects.get(slug="laser")
    page.price_note += "\n\nAsk us about swimming after laser."
    page.save()
    swimming = next(p for p in clinic_points.checklist(now=timezone.now()) if p.key == "swimming")
    laser = next(place for place in swimming.places if place.name == "Laser ablation")
    assert "Price and private treatment" in laser.parts and laser.state == "changed"
    assert not swimming.signed_off


@pytest.mark.parametrize("role", [roles.CLINICIAN, roles.CLINIC_MANAGER])
def test_the_checklist_page_lists_each_of_the_seven_with_where_and_sign_off(staff_client, settings, role):
    unsign(AftercareStep.objects.get(treatment__slug="excision", day_offset=5))
    response = staff_client(role).get(url(settings))
    assert response.status_code == 200
    page = soup(response)
    headings = [h.get_text() for h in page.select("#content-main section h2")]
    for label in SEVEN.values():
        assert any(label in heading for heading in headings), label
    stitches = page.find(id="point-stitch-removal-day").find_parent("section")
    text = stitches.get_text(" ", strip=True)
    assert "Open:" in text and "Excision: day 5 email" in text and "Awaiting clinical sign-off" in text
    step = AftercareStep.objects.get(treatment__slug="excision", day_offset=5)
    assert stitches.find("a", href=f"/{settings.ADMIN_URL}treatments/aftercarestep/{step.pk}/change/")
    assert stitches.find("input", attrs={"value": "Sign off this text"})


def test_a_clinician_signs_off_from_the_checklist(staff_client, settings):
    step = unsign(AftercareStep.objects.get(treatment__slug="excision", day_offset=5))
    clinician = staff_client(roles.CLINICIAN)
    response = clinician.post(url(settings), {"model": "aftercarestep", "pk": step.pk})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.reviewer == clinician.user and review.is_live(step, now=timezone.now())
    page = soup(clinician.get(url(settings)))
    assert "Signed off" in page.find(id="point-stitch-removal-day").get_text()


@pytest.mark.parametrize(
    ("role", "status"),
    [(roles.RECEPTION, 403), (roles.CONTENT_EDITOR, 403), (roles.CLINICIAN, 200), (roles.CLINIC_MANAGER, 200)],
)
def test_who_may_open_the_checklist(staff_client, settings, role, status):
    assert staff_client(role).get(url(settings)).status_code == status


def test_anonymous_visitors_are_sent_to_the_login_page(client, settings):
    response = client.get(url(settings))
    assert response.status_code == 302 and "/login/" in response["Location"]
