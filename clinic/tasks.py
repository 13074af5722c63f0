"""Celery tasks: thin, idempotent, ids only; the work is in clinic.outbox and clinic.retention."""

from celery import shared_task
from django.utils import timezone

from . import outbox, retention


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_email(outbox_id):
    """Send one outbox row; a repeated or late delivery of this task sends nothing more."""
    outbox.send_one(outbox_id, now=timezone.now())


@shared_task(ignore_result=True)
def dispatch_due_email():
    """Every minute (beat): hand due email to workers and requeue email whose sender died."""
    outbox.dispatch_due(now=timezone.now())


@shared_task(ignore_result=True)
def purge_old_email():
    """Daily (beat): delete sent and cancelled email older than 30 days."""
    outbox.purge_old(now=timezone.now())


@shared_task(ignore_result=True)
def purge_expired_records():
    """Daily (beat): delete expired sessions and login records past their keeping time."""
    retention.purge_expired(now=timezone.now())
