"""The admin's home page: what needs the staff member's attention today, by role."""

from django.urls import NoReverseMatch, reverse

from treatments.models import ConditionPage, TreatmentPage

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
    if user.has_perm("clinic.view_concern"):
        panels["concerns_waiting"] = AftercareCheckIn.objects.filter(
            feeling=AftercareCheckIn.Feeling.WORRIED, handled_at__isnull=True
        ).count()
        panels["concerns_url"] = _link("admin:clinic_aftercarecheckin_changelist")
    if user.has_perm("clinic.view_outbox"):
        panels["failed_emails"] = Outbox.objects.filter(status=Outbox.Status.FAILED).count()
        panels["failed_emails_url"] = _link("admin:clinic_outbox_changelist", "?status__exact=failed")
    if user.has_perm("treatments.view_treatmentpage") or user.has_perm("treatments.view_conditionpage"):
        due = 0
        for model in (TreatmentPage, ConditionPage):
            pages = model.objects.all()
            due += (pages.review_overdue(today) | pages.review_due_soon(today) | pages.awaiting_review()).count()
        panels["pages_due_for_review"] = due
        panels["pages_due_url"] = _link("admin:treatments_treatmentpage_changelist")
    panels.update(waitlist_panel(request, now=now))
    return panels
