"""Celery task for the waiting list: thin, the work is in clinic.waitlist.offering."""

from celery import shared_task
from django.utils import timezone

from . import offering


@shared_task(ignore_result=True)
def offer_free_times():
    """Every few minutes (beat): tidy the waiting list and offer freed times to the patients they suit."""
    offering.make_offers(now=timezone.now())
