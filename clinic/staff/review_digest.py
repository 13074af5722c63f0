"""The clinic managers' weekly digest of clinical content whose review is overdue, due soon or missing.

Celery beat runs `clinic.staff.tasks.send_review_digest` on Monday mornings; each active Clinic
manager with an email address gets one email through the outbox (one per ISO week: the
idempotency key holds the week), listing pages and aftercare steps with links to them.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from treatments import review
from treatments.live import with_faqs
from treatments.models import AftercareStep, ConditionPage, TreatmentPage

from ..lib import clock
from ..lib.links import absolute_reverse
from ..mail import outbox
from .roles import CLINIC_MANAGER

KIND = "review_digest"
SECTIONS = (
    ("overdue", "Review overdue"),
    ("due_soon", f"Review due within {review.DUE_SOON_DAYS} days"),
    ("not_live", "Not signed off (not shown to patients, or held from email)"),
)


def _name(item):
    if isinstance(item, AftercareStep):
        return f"Aftercare email: {item.treatment.title}, day {item.day_offset} ({item.title})"
    return f"Page: {item.title}"


def review_items(*, now: datetime.datetime) -> dict[str, list[dict]]:
    """{section: [{name, due, url}]} for every page and aftercare step that needs a clinician's look."""
    pages = with_faqs([*ConditionPage.objects.all(), *TreatmentPage.objects.all()])
    steps = list(AftercareStep.objects.filter(active=True).select_related("treatment"))
    found: dict[str, list[dict]] = {key: [] for key, _ in SECTIONS}
    for item in [*pages, *steps]:
        state = review.sign_off_state(item, now=now)
        section = "not_live" if state in review.NOT_LIVE else state
        if section in found:
            url = absolute_reverse(f"admin:treatments_{item._meta.model_name}_change", item.pk)
            found[section].append({"name": _name(item), "due": item.next_review_due, "url": url})
    for rows in found.values():
        rows.sort(key=lambda row: (row["due"] or datetime.date.max, row["name"]))
    return found


def send_review_digest(*, now: datetime.datetime) -> int:
    """Queue this week's digest for each Clinic manager (none when nothing needs review); return how many."""
    items = review_items(now=now)
    if not any(items.values()):
        return 0
    year, week, _ = clock.today(now).isocalendar()
    managers = get_user_model().objects.filter(groups__name=CLINIC_MANAGER, is_active=True).exclude(email="")
    sections = [{"title": title, "items": items[key]} for key, title in SECTIONS if items[key]]
    queued = 0
    with transaction.atomic():
        for manager in managers.order_by("pk"):
            outbox.queue_email(
                to=manager.email,
                template=KIND,
                context={"sections": sections, "checklist_url": absolute_reverse("admin:clinical_checklist")},
                kind=KIND,
                cause="review_digest",
                idempotency_key=f"{KIND}:{year}-W{week:02d}:{manager.pk}",
                now=now,
            )
            queued += 1
    return queued
