"""Celery tasks for the outbox: thin, idempotent, ids only; the work is in clinic.mail.sending."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import housekeeping, sending
from .connection import process_connection


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_email(outbox_id):
    """Send one outbox row at once (a booking's email, on commit); a repeated or late delivery sends nothing more.

    The worker process keeps its mail-server connection between tasks (checked with NOOP when idle).
    """
    sending.send_one(outbox_id, now=timezone.now(), connection=process_connection)


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_batch(outbox_ids):
    """Send these outbox rows (the sweep's hand-out) over the process's one connection; each row's outcome its own.

    Rows already sent, cancelled or held by another sender are left alone, so a repeated delivery
    sends nothing twice. New sends stop after half the task's soft time limit; the rest are given
    back untried, and the next sweep hands them out again.
    """
    sending.send_batch(
        outbox_ids,
        now=timezone.now(),
        connection=process_connection,
        within=settings.CELERY_TASK_SOFT_TIME_LIMIT / 2,
    )


@shared_task(ignore_result=True)
def dispatch_due_email():
    """Every minute (beat): hand due email to workers in batches and requeue email whose sender died."""
    sending.dispatch_due(now=timezone.now())


@shared_task(ignore_result=True)
def purge_old_email():
    """Daily (beat): delete sent and cancelled email older than 30 days."""
    housekeeping.purge_old(now=timezone.now())
