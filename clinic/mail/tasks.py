"""Celery tasks for the outbox: thin, idempotent, ids only; the work is in clinic.mail.sending."""

from celery import shared_task
from django.utils import timezone

from . import housekeeping, sending
from .connection import process_connection


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_email(outbox_id):
    """Send one outbox row; a repeated or late delivery of this task sends nothing more.

    The worker process keeps its mail-server connection between tasks (checked with NOOP when idle).
    """
    sending.send_one(outbox_id, now=timezone.now(), connection=process_connection)


@shared_task(ignore_result=True)
def dispatch_due_email():
    """Every minute (beat): hand due email to workers and requeue email whose sender died."""
    sending.dispatch_due(now=timezone.now())


@shared_task(ignore_result=True)
def purge_old_email():
    """Daily (beat): delete sent and cancelled email older than 30 days."""
    housekeeping.purge_old(now=timezone.now())
