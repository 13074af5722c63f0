"""The publishing gate: nothing reaches the public without a clinician's sign-off of its exact text."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.staff import roles
from tests.helpers import soup
from tests.review_fixtures import clinical_lead, unsign
from treatments import review
from treatments.models import FAQ, AftercareStep, ConditionPage, TreatmentPage

pytestmark = pytest.mark.django_db


def laser():
    return TreatmentPage.objects.prefetch_related("faqs").get(slug="laser")


def treatment_links(response):
    return [a["href"] for a in soup(response).select("main a")]


def test_an_unreviewed_page_is_a_404_for_the_public_and_found_nowhere(client):
    unsign(laser())
    assert client.get("/treatments/laser/").status_code == 404
    assert "/treatments/laser/" not in treatment_links(client.get("/treatments/"))
    milia = client.get("/milia/").content.decode()
    assert "Laser ablation" not in soup(client.get("/milia/")).select_one("table").get_text()
    assert milia.count("/treatments/laser/") == 0
    # Search finds the other pages that mention lasers, never the unreviewed page itself.
    found = treatment_links(client.get("/search/", {"q": "laser"}))
    assert "/treatments/laser/" not in found
    assert client.get("/search/", {"q": "erbium"}).status_code == 200
    assert "/treatments/laser/" not in treatment_links(client.get("/search/", {"q": "ablation"}))


def test_an_unreviewed_condition_page_is_a_404_too(client):
    unsign(ConditionPage.objects.get())
    assert client.get("/milia/").status_code == 404
    assert "/milia/" not in treatment_links(client.get("/search/", {"q": "milia"}))


def test_staff_see_an_unreviewed_page_under_a_banner_saying_patients_cannot(client, staff_client):
    unsign(laser())
    response = staff_client(roles.CONTENT_EDITOR).get("/treatments/laser/")
    assert response.status_code == 200
    banner = soup(response).select_one("main .alert-warning").get_text(" ", strip=True)
    assert "patients cannot see this page" in banner and "Awaiting clinical sign-off" in banner
    assert "awaiting clinical review" in soup(response).find("footer").get_text()


def test_a_signed_off_page_is_live_with_its_reviewer_and_dates(client):
    page = laser()
    review.sign_off(page, user=clinical_lead(), now=timezone.now())
    response = client.get("/treatments/laser/")
    footer = soup(response).find("footer").get_text(" ", strip=True)
    assert response.status_code == 200
    assert "Test Clinical Lead" in footer and "Next review due" in footer
    assert not soup(response).select("main .alert-warning")  # no staff banner for the public


@pytest.mark.parametrize(
    "edit",
    [
        lambda page: setattr(page, "risks", page.risks + "."),  # one character
        lambda page: setattr(page, "risks", page.risks.replace("e", "é", 1)),  # a typo fix counts too
        lambda page: setattr(page, "downtime", page.downtime + " "),
    ],
)
def test_any_edit_of_the_clinical_text_returns_a_page_to_review(client, edit):
    page = laser()
    assert review.is_live(page, now=timezone.now())
    edit(page)
    page.save()
    page = laser()
    assert page.awaiting_review and review.sign_off_state(page, now=timezone.now()) == "changed"
    assert client.get("/treatments/laser/").status_code == 404


def test_editing_a_faq_returns_its_page_to_review(client):
    faq = FAQ.objects.filter(treatment__slug="laser").first()
    faq.answer += " Changed."
    faq.save()
    assert client.get("/treatments/laser/").status_code == 404


def test_a_changed_field_outside_the_clinical_text_keeps_the_sign_off(client):
    page = laser()
    page.order = 9
    page.save()
    assert client.get("/treatments/laser/").status_code == 200


def test_an_edit_returns_an_approved_aftercare_step_to_review():
    step = AftercareStep.objects.get(treatment__slug="laser", day_offset=3)
    now = timezone.now()
    assert review.is_live(step, now=now)
    step.body = step.body.replace(".", ",", 1)  # a single character
    step.save()
    step.refresh_from_db()
    assert not review.is_live(step, now=now)
    assert review.sign_off_state(step, now=now) == "changed"
    review.sign_off(step, user=clinical_lead(), now=now)
    assert review.is_live(step, now=now)


def test_a_content_editor_cannot_sign_off(staff_client, settings):
    editor = staff_client(roles.CONTENT_EDITOR)
    page = unsign(laser())
    with pytest.raises(review.SignOffRefused):
        review.sign_off(page, user=editor.user, now=timezone.now())
    # Nor through the admin: the action is not theirs, and the checklist is closed to them.
    admin = "/" + settings.ADMIN_URL
    listing = editor.get(f"{admin}treatments/treatmentpage/").content.decode()
    assert 'value="sign_off"' not in listing
    editor.post(f"{admin}treatments/treatmentpage/", {"action": "sign_off", "_selected_action": [page.pk]})
    check = {"model": "treatmentpage", "pk": page.pk}
    assert editor.post(f"{admin}clinical-checklist/", check).status_code == 403
    page = laser()
    assert page.awaiting_review and page.reviewer is None


@pytest.mark.parametrize("role", [roles.CLINICIAN, roles.CLINIC_MANAGER])
def test_a_clinician_or_the_manager_signs_off_through_the_admin(staff_client, settings, client, role):
    signer = staff_client(role)
    page = unsign(laser())
    step = unsign(AftercareStep.objects.get(treatment__slug="laser", day_offset=0))
    admin = "/" + settings.ADMIN_URL
    signer.post(f"{admin}treatments/treatmentpage/", {"action": "sign_off", "_selected_action": [page.pk]})
    signer.post(f"{admin}treatments/aftercarestep/", {"action": "sign_off", "_selected_action": [step.pk]})
    page, now = laser(), timezone.now()
    step.refresh_from_db()
    assert page.reviewer == signer.user and step.reviewer == signer.user
    assert page.reviewed_on == timezone.localdate()
    assert page.next_review_due == timezone.localdate() + datetime.timedelta(days=365)
    assert review.is_live(page, now=now) and review.is_live(step, now=now)
    assert client.get("/treatments/laser/").status_code == 200


def test_only_the_clinical_roles_hold_the_sign_off_permission():
    holders = {g.name for g in Group.objects.filter(permissions__codename="sign_off_content")}
    assert holders == {roles.CLINICIAN, roles.CLINIC_MANAGER}
    editor = Group.objects.get(name=roles.CONTENT_EDITOR)
    assert editor.permissions.filter(codename="change_aftercarestep").exists()  # editors still draft


def test_a_demo_sign_off_is_only_made_and_only_counts_with_debug(client, settings):
    page = unsign(laser())
    with pytest.raises(review.SignOffRefused):
        review.sign_off_as_demo(page, now=timezone.now())
    settings.DEBUG = True
    review.sign_off_as_demo(page, now=timezone.now())
    response = client.get("/treatments/laser/")
    assert response.status_code == 200
    footer = soup(response).find("footer").get_text(" ", strip=True)
    assert review.DEMO_REVIEWER in footer and "not a real clinical review" in footer
    settings.DEBUG = False
    assert client.get("/treatments/laser/").status_code == 404
    assert review.sign_off_state(laser(), now=timezone.now()) == "demo"


def test_an_overdue_review_keeps_the_page_live_and_tells_staff_only(client, staff_client):
    TreatmentPage.objects.filter(slug="laser").update(next_review_due=datetime.date(2020, 1, 1))
    public = client.get("/treatments/laser/")
    assert public.status_code == 200
    assert "Review overdue" not in public.content.decode()
    for role in (roles.CONTENT_EDITOR, roles.CLINICIAN, roles.RECEPTION):
        staff = staff_client(role).get("/treatments/laser/")
        assert staff.status_code == 200
        assert "Review overdue" in soup(staff).select_one("main .alert-warning").get_text(), role
    # The cached sections are shared; the banner is not: the public still does not get it afterwards.
    assert "Review overdue" not in client.get("/treatments/laser/").content.decode()


def test_is_live_is_the_rule_for_pages_and_steps():
    now = timezone.now()
    page, step = laser(), AftercareStep.objects.get(treatment__slug="laser", day_offset=0)
    assert review.is_live(page, now=now) and review.is_live(step, now=now)
    page.status = TreatmentPage.Status.DRAFT
    step.active = False
    assert not review.is_live(page, now=now) and not review.is_live(step, now=now)
    assert review.live([laser(), unsign(ConditionPage.objects.get())], now=now) == [laser()]
