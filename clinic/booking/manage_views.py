"""Manage-my-booking, from the link in the patient's email: view, cancel, move.

The link carries a random token (only its SHA-256 is stored). GET only shows; POST
changes. Every failure (unknown, expired, already used) is the same 404.
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..lib import clock
from ..models import Appointment
from . import picker, schedule
from . import services as booking
from .forms import SlotForm
from .services import SlotUnavailable, TooLateToChange


def _appointment_or_404(token):
    appointment = booking.appointment_for_token(token, now=timezone.now())
    if appointment is None:
        raise Http404
    return appointment


def _too_late(request, appointment):
    return render(request, "manage/too_late.html", {"appointment": appointment}, status=409)


@require_GET
def manage(request, token):
    appointment = _appointment_or_404(token)
    context = {
        "appointment": appointment,
        "token": token,
        "can_change": booking.can_change_online(appointment, now=timezone.now()),
    }
    return render(request, "manage/manage.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token):
    appointment = _appointment_or_404(token)
    if not booking.can_change_online(appointment, now=timezone.now()):
        return _too_late(request, appointment)
    if request.method != "POST":
        return render(request, "manage/cancel.html", {"appointment": appointment, "token": token})
    try:
        booking.cancel_appointment(appointment=appointment, by_clinic=False, now=timezone.now())
    except TooLateToChange:
        return _too_late(request, appointment)
    # The token is gone with the booking: move to a token-free page.
    request.session["cancelled"] = appointment.reference
    return redirect("manage:cancelled")


def cancelled(request):
    reference = request.session.get("cancelled")
    if not reference:
        raise Http404
    return render(request, "manage/cancelled.html", {"reference": reference})


@require_GET
def reschedule(request, token):
    appointment = _appointment_or_404(token)
    now = timezone.now()
    if not booking.can_change_online(appointment, now=now):
        return _too_late(request, appointment)
    today = clock.today(timezone.now())
    week = schedule.week_of_free_times(
        consultation_type=appointment.consultation_type,
        practitioner=appointment.practitioner,
        anchor=schedule.requested_week(request.GET.get("week"), today=today),
        today=today,
        now=now,
        ignore_appointment=appointment,
    )
    context = {
        "appointment": appointment,
        "token": token,
        "form": SlotForm(),
        "action": reverse("manage:move_confirm", args=[token]),
        "picker_html": picker.grid_html(week["picker_days"]),
        **week,
    }
    return render(request, "manage/reschedule.html", context)


@require_POST
def reschedule_confirm(request, token):
    appointment = _appointment_or_404(token)
    form = SlotForm(request.POST)
    if not form.is_valid():
        return redirect("manage:move", token=token)
    try:
        appointment = booking.reschedule_appointment(
            appointment=appointment, starts_at=form.cleaned_data["slot"], now=timezone.now()
        )
    except TooLateToChange:
        return _too_late(request, appointment)
    except SlotUnavailable as unavailable:
        context = {
            "appointment": appointment,
            "token": token,
            "message": str(unavailable),
            "alternatives": unavailable.alternatives,
            "action": reverse("manage:move_confirm", args=[token]),
        }
        return render(request, "manage/slot_taken.html", context, status=409)
    request.session["moved"] = appointment.reference
    return redirect("manage:moved")


def moved(request):
    reference = request.session.get("moved")
    appointment = Appointment.objects.select_related("practitioner").filter(reference=reference or "").first()
    if appointment is None:
        raise Http404
    return render(request, "manage/moved.html", {"appointment": appointment})
