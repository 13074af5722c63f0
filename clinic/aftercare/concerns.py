"""Aftercare concerns: a patient said "I'm worried". Clinicians are alerted (and alerted once more if nobody
handles it in time); the desk sees only that someone is waiting for a clinical call-back.

Alerts go to CLINIC_CLINICAL_EMAIL and carry only a link to the concern's admin page: an inbox
may be read on a shared screen, so no name and nothing clinical.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from ..lib.links import absolute_reverse
from ..mail import outbox
from ..models import AftercareCheckIn, Appointment

KIND = "aftercare_concern"
REALERT_KIND = "aftercare_concern_realert"


def alert_clinicians(concern: AftercareCheckIn, *, now: datetime.datetime, again: bool = False) -> None:
    """Queue the alert to the clinicians' address; call it in the transaction that records the concern."""
    kind = REALERT_KIND if again else KIND
    outbox.queue_email(
        to=settings.CLINIC_CLINICAL_EMAIL,
        template=KIND,
        context={
            "admin_url": absolute_reverse("admin:clinic_aftercarecheckin_change", concern.pk),
            "again": again,
            "hours": settings.CLINIC_CONCERN_REALERT_HOURS,
        },
        kind=kind,
        cause=f"aftercare_checkin:{concern.pk}",
        idempotency_key=f"{kind}:{concern.pk}",
        now=now,
    )


def mark_handled(*, concern: AftercareCheckIn, by: User, note: str, now: datetime.datetime) -> bool:
    """Record who handled the worry, when and what was done; False if it was handled already (kept as it was)."""
    with transaction.atomic():
        updated = (
            AftercareCheckIn.objects.open_concerns()
            .filter(pk=concern.pk)
            .update(handled_at=now, handled_by=by, handled_note=note.strip())
        )
    return bool(updated)


def realert_unhandled(*, now: datetime.datetime) -> int:
    """Alert the clinicians once more about each worry left unhandled past CLINIC_CONCERN_REALERT_HOURS.

    Once per concern: `realerted_at` is set in the transaction that queues the email (and the
    email's idempotency key says the same), so sweeps running together or again send one.
    """
    cutoff = now - datetime.timedelta(hours=settings.CLINIC_CONCERN_REALERT_HOURS)
    sent = 0
    with transaction.atomic():
        due = (
            AftercareCheckIn.objects.open_concerns()
            .filter(created_at__lte=cutoff, realerted_at__isnull=True)
            .select_for_update(skip_locked=True)
        )
        for concern in due:
            alert_clinicians(concern, now=now, again=True)
            AftercareCheckIn.objects.filter(pk=concern.pk).update(realerted_at=now)
            sent += 1
    return sent


def waiting_for_callback():
    """Open concerns for the desk's list: the patient's name and phone and when they asked, nothing clinical."""
    return (
        AftercareCheckIn.objects.open_concerns()
        .filter(record__patient__erased_at__isnull=True)
        .order_by("created_at")
        .values("pk", "created_at", "record__patient_id", "record__patient__name", "record__patient__phone")
    )


def with_call_back_flag(appointments: QuerySet[Appointment], *, now: datetime.datetime) -> QuerySet[Appointment]:
    """Annotate `waiting_call_back`: the appointment is its patient's next one while a worry waits for a call.

    An annotation, not another query: the agenda's query budget stays the same.
    """
    worried = AftercareCheckIn.objects.open_concerns().filter(record__patient=OuterRef("patient"))
    earlier = Appointment.objects.filter(
        patient=OuterRef("patient"),
        status=Appointment.Status.BOOKED,
        starts_at__gte=now,
        starts_at__lt=OuterRef("starts_at"),
    )
    return appointments.annotate(
        waiting_call_back=ExpressionWrapper(
            Q(status=Appointment.Status.BOOKED, starts_at__gte=now) & Exists(worried) & ~Exists(earlier),
            output_field=BooleanField(),
        )
    )
