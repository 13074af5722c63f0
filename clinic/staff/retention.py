"""Data kept no longer than needed: expired sessions, old login records, dead patient links (RELIABILITY H4)."""

import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session

from ..models import ManageLink

# Login records help investigate a break-in; after three months they only hold staff data.
LOGIN_RECORDS_KEPT = datetime.timedelta(days=90)


def purge_expired(*, now):
    """Delete expired sessions, login records older than LOGIN_RECORDS_KEPT and manage links of appointments
    that have started (they no longer work); return the counts."""
    cutoff = now - LOGIN_RECORDS_KEPT
    return {
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "login attempts": AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "login failures": AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "login records": AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "manage links": ManageLink.objects.filter(appointment__starts_at__lte=now).delete()[0],
    }
