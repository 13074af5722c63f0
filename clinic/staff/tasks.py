"""Celery tasks for staff housekeeping: ids only, the work is in clinic.staff.retention."""

from celery import shared_task
from django.utils import timezone

from . import retention, review_digest


@shared_task(ignore_result=True)
def purge_expired_records():
    """Daily (beat): delete expired sessions, old login records and dead patient links."""
    retention.purge_expired(now=timezone.now())


@shared_task(ignore_result=True)
def send_review_digest():
    """Weekly (beat, Monday morning): the Clinic managers' digest of content due for clinical review."""
    review_digest.send_review_digest(now=timezone.now())
