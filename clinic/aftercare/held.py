"""Aftercare emails held back at sending because their step had no valid clinical sign-off: the dashboard's list."""

import datetime

from django.db.models import Count, Max
from django.urls import reverse

from ..models import AftercareDelivery

# The dashboard lists emails held within this many days.
SHOWN_FOR = datetime.timedelta(days=30)


def held_emails(*, now: datetime.datetime) -> list[dict]:
    """One row per step and reason: the step, why it was held, how many emails, the latest; newest first."""
    rows = (
        AftercareDelivery.objects.filter(held_at__gte=now - SHOWN_FOR, step__isnull=False)
        .values("step_id", "step__title", "step__day_offset", "step__treatment__title", "held_reason")
        .annotate(emails=Count("pk"), latest=Max("held_at"))
        .order_by("-latest")
    )
    return [
        {
            "step": f"{row['step__treatment__title']}: day {row['step__day_offset']} ({row['step__title']})",
            "reason": row["held_reason"],
            "emails": row["emails"],
            "latest": row["latest"],
            "url": reverse("admin:treatments_aftercarestep_change", args=[row["step_id"]]),
        }
        for row in rows
    ]
