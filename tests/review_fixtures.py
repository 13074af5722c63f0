"""Clinical sign-off for the tests: the content the migrations load is signed off by a real clinician login.

The publishing gate (treatments.review) keeps unreviewed pages from the public and holds
unreviewed aftercare emails. Tests that read pages or send aftercare need signed-off content,
so the test database is set up with every page and step signed off through the same
`review.sign_off` a clinician uses (tests/conftest.py, django_db_setup), before its snapshot is
taken. Tests of the gate itself take a sign-off away (`unsign`) or edit the text.
"""

from django.utils import timezone

from clinic.lib import page_cache

REVIEWER = "test-clinical-lead"


def clinical_lead():
    """The tests' clinician (Clinician role), made once."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, made = get_user_model().objects.get_or_create(
        username=REVIEWER, defaults={"is_staff": True, "first_name": "Test", "last_name": "Clinical Lead"}
    )
    if made:
        user.set_unusable_password()  # signs off through the code, never signs in
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="Clinician"))
    return user


def sign_off_all_content(*, now=None):
    """Sign off every page and aftercare step as a clinician would; returns how many."""
    from treatments import review
    from treatments.models import AftercareStep, ConditionPage, TreatmentPage

    now = now or timezone.now()
    user = clinical_lead()
    done = 0
    for model in (ConditionPage, TreatmentPage):
        for page in model.objects.prefetch_related("faqs"):
            review.sign_off(page, user=user, now=now)
            done += 1
    for step in AftercareStep.objects.all():
        review.sign_off(step, user=user, now=now)
        done += 1
    return done


def unsign(item):
    """Take an item's sign-off away (as if never signed off)."""
    type(item).objects.filter(pk=item.pk).update(
        signed_off_fingerprint="", reviewed_on=None, reviewed_by="", reviewer=None, next_review_due=None
    )
    page_cache.content_changed()  # an UPDATE sends no signal: the cached pages must drop the sign-off too
    item.refresh_from_db()
    return item
