"""Celery tasks for aftercare: ids only, the work is in clinic.aftercare.concerns."""

from celery import shared_task
from django.utils import timezone

from . import concerns


@shared_task(ignore_result=True)
def realert_unhandled_concerns():
    """Every few minutes (beat): alert the clinicians once more about worries nobody has handled in time."""
    concerns.realert_unhandled(now=timezone.now())
