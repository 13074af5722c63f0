"""The content update (treatments/0021): untouched items get the new text; edited or signed-off ones keep theirs."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from treatments import content
from treatments.models import AftercareStep, ConditionPage, TreatmentPage

pytestmark = pytest.mark.django_db

update = importlib.import_module("treatments.migrations.0005_safety_net_content")


def run_update():
    state = MigrationExecutor(connection).loader.project_state(("treatments", "0005_safety_net_content"))
    update.refresh(state.apps, None)


def step(slug, day):
    return AftercareStep.objects.get(treatment__slug=slug, day_offset=day)


def never_signed_off():
    """As the content is on a site that has not had its clinical review yet (the tests' set-up signs it all off).

    A sign-off is saved through the app, so it leaves a history row as an edit does: both go.
    """
    for model in (ConditionPage, TreatmentPage, AftercareStep):
        model.objects.update(reviewed_by="", reviewed_on=None)
        model.history.all().delete()


def test_untouched_content_gets_the_new_text_and_a_new_step_version():
    never_signed_off()
    ConditionPage.objects.update(myths="")
    TreatmentPage.objects.filter(slug="dermabrasion").update(colour_change="", summary="Dermabrasion gently sands.")
    AftercareStep.objects.filter(treatment__slug="excision", day_offset=3).update(body="Contact us if pus.")
    version = step("excision", 3).version

    run_update()

    assert ConditionPage.objects.get().myths == content.read("milia")["sections"]["myths"]
    dermabrasion = TreatmentPage.objects.get(slug="dermabrasion")
    assert "brown and black skin" in dermabrasion.colour_change
    assert "gently sands" not in dermabrasion.summary
    updated = step("excision", 3)
    assert updated.body == next(s["body"] for s in content.read("excision")["aftercare_steps"] if s["day"] == 3)
    assert updated.version == version + 1


def test_edited_or_signed_off_content_is_left_alone():
    never_signed_off()
    edited = step("laser", 3)
    edited.body = "The clinic's own words."
    edited.save()  # through the app: recorded in its history
    TreatmentPage.objects.filter(slug="excision").update(
        summary="Signed-off words.", reviewed_by="Dr A", colour_change=""
    )

    run_update()

    assert step("laser", 3).body == "The clinic's own words."
    excision = TreatmentPage.objects.get(slug="excision")
    assert excision.summary == "Signed-off words." and excision.colour_change == ""
