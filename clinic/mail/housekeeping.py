"""Keeping the outbox small and visible: purging old mail, counting what waits."""

from datetime import datetime, timedelta
from typing import TypedDict

from django.db.models import Count, Min, Q

from ..models import Outbox

Status = Outbox.Status
KEEP_FOR = timedelta(days=30)


class QueueStats(TypedDict):
    """What `queue_stats` reports."""

    by_status: dict[str, int]
    due: int
    oldest_due: datetime | None


def purge_old(*, now: datetime) -> int:
    """Delete sent and cancelled rows older than 30 days (they hold personal data); return how many."""
    cutoff = now - KEEP_FOR
    old = Outbox.objects.filter(status=Status.SENT, sent_at__lt=cutoff) | Outbox.objects.filter(
        status=Status.CANCELLED, created_at__lt=cutoff
    )
    _, deleted = old.delete()  # their unsubscribe links go with them
    return deleted.get("clinic.Outbox", 0)


def queue_stats(*, now: datetime) -> QueueStats:
    """Counts by status, how many are due now, and the oldest due time (None if nothing is due)."""
    by_status = dict(Outbox.objects.values_list("status").annotate(n=Count("pk")).order_by())
    due = Outbox.objects.due(now).aggregate(n=Count("pk"), oldest=Min("next_attempt_at"))
    return {
        "by_status": {status: by_status.get(status, 0) for status in Status.values},
        "due": due["n"],
        "oldest_due": due["oldest"],
    }


def mail_health(*, now: datetime) -> dict[str, int | float | None]:
    """For the health check, in one query: emails due now, how long the oldest has waited, emails failed."""
    due = Q(status=Status.PENDING, next_attempt_at__lte=now)
    counts = Outbox.objects.aggregate(
        due=Count("pk", filter=due),
        oldest=Min("next_attempt_at", filter=due),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
    )
    oldest = counts["oldest"]
    return {
        "due": counts["due"],
        "oldest_due_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "failed": counts["failed"],
    }
