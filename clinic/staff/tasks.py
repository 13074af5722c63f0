"""Celery tasks for staff housekeeping: ids only, the work is in clinic.staff.retention."""

from celery import shared_task
from django.utils import timezone

from . import retention


@shared_task(ignore_result=True)
def purge_expired_records():
    """Daily (beat): delete expired sessions, old login records and dead patient links."""
    retention.purge_expired(now=timezone.now())
