"""The admin's home page: what needs the staff member's attention today, by role."""

from django.urls import NoReverseMatch, reverse

from treatments.models import ConditionPage, TreatmentPage

from ..aftercare.held import held_emails
from ..lib import clock
from ..lib.clock import day_bounds
from ..models import (
    AftercareCheckIn,
    Appointment,
    Outbox,
)
from .waitlist import dashboard_panel as waitlist_panel  # importing it also registers the waiting list's screens


def _link(name, query=""):
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def dashboard(request, *, now):
    """What the landing page shows this user: only the panels their role may see."""
    user = request.user
    today = clock.today(now)
    panels = {"today": today}
    if user.has_perm("clinic.view_appointment"):
        start, end = day_bounds(today)
        panels["todays_appointments"] = list(
            Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
            .select_related("patient", "practitioner", "consultation_type")
            .order_by("starts_at")
        )
        # Each tile links to a list showing exactly the rows it counts.
        panels["todays_appointments_url"] = _link("admin:clinic_appointment_changelist", "?when=today")
    if user.has_perm("clinic.view_concern"):
        panels["concerns_waiting"] = AftercareCheckIn.objects.filter(
            feeling=AftercareCheckIn.Feeling.WORRIED, handled_at__isnull=True
        ).count()
        panels["concerns_url"] = _link(
            "admin:clinic_aftercarecheckin_changelist", "?feeling__exact=worried&handled_at__isempty=1"
        )
        panels["open_concerns"] = list(
            AftercareCheckIn.objects.open_concerns().select_related("record__patient").order_by("created_at")[:20]
        )
    if user.has_perm("clinic.view_callbacks"):
        panels["callbacks_waiting"] = AftercareCheckIn.objects.open_concerns().count()
        panels["callbacks_url"] = _link("admin:callbacks")
    if user.has_perm("clinic.view_outbox"):
        panels["failed_emails"] = Outbox.objects.filter(status=Outbox.Status.FAILED).count()
        panels["failed_emails_url"] = _link("admin:clinic_outbox_changelist", "?status__exact=failed")
    if user.has_perm("treatments.view_treatmentpage") or user.has_perm("treatments.view_conditionpage"):
        due = []
        for model in (TreatmentPage, ConditionPage):
            pages = model.objects.all()
            count = (pages.review_overdue(today) | pages.review_due_soon(today) | pages.awaiting_review()).count()
            url = _link(f"admin:treatments_{model._meta.model_name}_changelist", "?review=needs")
            due.append((model._meta.verbose_name_plural, count, url))
        panels["pages_due_for_review"] = sum(count for _, count, _ in due)
        panels["pages_due"] = due
    if user.has_perm("treatments.view_aftercarestep"):
        panels["held_aftercare"] = held_emails(now=now)  # steps not signed off: emails held back, and why
    panels.update(waitlist_panel(request, now=now))
    return panels
