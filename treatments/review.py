"""The publishing gate: clinical text reaches patients only with a valid clinical sign-off.

A page (`ConditionPage`, `TreatmentPage`) or an aftercare step (`AftercareStep`) is signed off by
a member of a clinical role (the permission `treatments.sign_off_content`): the sign-off records
the reviewer, the date, the next review due and the SHA-256 **fingerprint of the clinical text**
as it was signed off. The sign-off is valid only while the text still has that fingerprint, so
any edit to the clinical text (a single character counts) sends the item back to review; no
flag is trusted. A demo sign-off (`load_demo`) counts only while DEBUG is on.

`is_live(item, now=...)` is the one rule everything public follows: the pages, the treatment
list, the comparison table, search, the sitemap and the aftercare emails. This module imports
no model (the models import it), so it works on any item with `CLINICAL_FIELDS`.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied

SIGN_OFF_PERMISSION = "treatments.sign_off_content"
DEMO_REVIEWER = "Demo reviewer — not a real clinical sign-off"
# Items due for review within this many days are "due soon" (dashboard, digest, admin filter).
DUE_SOON_DAYS = 30

# The sign-off states, in the words staff see.
STATES = {
    "unreviewed": "Awaiting clinical sign-off",
    "changed": "Changed since sign-off: needs clinical review again",
    "demo": "Demo sign-off only (not valid with DEBUG off)",
    "overdue": "Signed off; review overdue",
    "due_soon": "Signed off; review due within 30 days",
    "current": "Signed off",
}
NOT_LIVE = {"unreviewed", "changed", "demo"}


class SignOffRefused(PermissionDenied):
    """The user may not sign off clinical content (only the Clinician and Clinic manager roles may)."""


def clinical_text(item, *, faqs=None):
    """The clinical text of an item as one canonical string: its model, its clinical fields, its FAQs."""
    fields = [[name, str(getattr(item, name))] for name in item.CLINICAL_FIELDS]
    data = {"model": item._meta.label_lower, "fields": fields}
    if hasattr(item, "faqs"):
        faqs = item.faqs.all() if faqs is None else faqs
        data["faqs"] = [[faq.question, faq.answer] for faq in faqs]
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def fingerprint(item, *, faqs=None):
    """SHA-256 (hex) of the item's clinical text: any change to it, however small, changes this."""
    return hashlib.sha256(clinical_text(item, faqs=faqs).encode("utf-8")).hexdigest()


def has_valid_sign_off(item):
    """Signed off, for exactly the clinical text it holds now (a demo sign-off only while DEBUG is on)."""
    if not (item.signed_off_fingerprint and item.reviewed_on):
        return False
    if item.demo_sign_off and not settings.DEBUG:
        return False
    return item.signed_off_fingerprint == fingerprint(item)


def sign_off_state(item, *, now):
    """One of STATES' keys: why an item is not live, or how its review stands."""
    if not (item.signed_off_fingerprint and item.reviewed_on):
        return "unreviewed"
    if item.signed_off_fingerprint != fingerprint(item):
        return "changed"
    if item.demo_sign_off and not settings.DEBUG:
        return "demo"
    today = _today(now)
    if item.next_review_due and item.next_review_due < today:
        return "overdue"
    if item.next_review_due and item.next_review_due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "current"


def is_live(item, *, now):
    """May the public see this page, or a patient be sent this aftercare step? (Published or active, and signed off.)

    Past its next review due date an item stays live: it shows "review overdue" to staff, and the
    clinic managers' weekly digest lists it.
    """
    if hasattr(item, "status") and item.status != "published":
        return False
    if hasattr(item, "active") and not item.active:
        return False
    return sign_off_state(item, now=now) not in NOT_LIVE


def live(items, *, now):
    """The live ones of `items`, in their order (prefetch pages' FAQs: each page's text includes them)."""
    return [item for item in items if is_live(item, now=now)]


def can_sign_off(user):
    return bool(user and user.is_active and user.has_perm(SIGN_OFF_PERMISSION))


def sign_off(item, *, user, now, next_review_due=None):
    """Record `user`'s clinical sign-off of the item's text as it is now; refused without the permission."""
    if not can_sign_off(user):
        raise SignOffRefused("Only the Clinician and Clinic manager roles may sign off clinical content.")
    name = user.get_full_name() or user.get_username()
    _record(item, reviewer=user, name=name, now=now, next_review_due=next_review_due, demo=False)


def sign_off_as_demo(item, *, now):
    """Mark the item signed off by the demo reviewer: only with DEBUG on (load_demo), and the footer says so."""
    if not settings.DEBUG:
        raise SignOffRefused("A demo sign-off is only possible with DEBUG on.")
    _record(item, reviewer=None, name=DEMO_REVIEWER, now=now, next_review_due=None, demo=True)


def _record(item, *, reviewer, name, now, next_review_due, demo):
    today = _today(now)
    item.reviewer = reviewer
    item.reviewed_by = name[:200]
    item.reviewed_on = today
    item.next_review_due = next_review_due or today + datetime.timedelta(days=settings.CLINICAL_REVIEW_INTERVAL_DAYS)
    item.demo_sign_off = demo
    item.signed_off_fingerprint = fingerprint(item)
    item.save(
        update_fields=[
            "reviewer",
            "reviewed_by",
            "reviewed_on",
            "next_review_due",
            "demo_sign_off",
            "signed_off_fingerprint",
            "updated_at",
        ]
    )


def _today(now):
    from django.utils import timezone

    return timezone.localdate(now)
