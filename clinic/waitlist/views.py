"""The waiting list's pages: join (from the time picker), and the patient's place from the link in their email.

The place's link carries a random token (only its SHA-256 is stored). GET only shows; POST
changes. Every failure (unknown link, a place no longer waiting) is the same 404.
"""

import datetime

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..booking.forms import NO_PREFERENCE, QuestionnaireForm
from ..booking.services import PatientDetails, SlotUnavailable
from ..models import Appointment, ConsultationType
from . import services as waitlist
from .forms import WaitlistDetailsForm, WishesForm

SENSITIVE = ("name", "email", "phone", "date_of_birth")


def _initial_choice(request):
    """Preselect what the patient was looking at in the time picker (or the link's parameters)."""
    state = request.session.get("booking", {})
    kind = request.GET.get("consultation_type") or state.get("type")
    practitioner = request.GET.get("practitioner") or state.get("practitioner") or NO_PREFERENCE
    initial = {"practitioner": practitioner}
    if kind and ConsultationType.objects.filter(slug=kind, bookable_online=True).exists():
        initial["consultation_type"] = kind
    return initial


@sensitive_post_parameters(*SENSITIVE)
@require_http_methods(["GET", "POST"])
def join(request):
    """One page: what would suit, then the patient's details and consent as in booking."""
    data = request.POST if request.method == "POST" else None
    wishes_form = WishesForm(data, initial=_initial_choice(request))
    details_form = WaitlistDetailsForm(data)
    if data is not None and wishes_form.is_valid() and details_form.is_valid():
        details = details_form.cleaned_data
        waitlist.join(
            wishes=wishes_form.wishes(),
            details=PatientDetails(
                name=details["name"],
                email=details["email"],
                phone=details["phone"],
                date_of_birth=details["date_of_birth"],
                marketing_consent=details["marketing_consent"],
            ),
            now=timezone.now(),
        )
        # Only what this browser typed is shown next, never what the list already held for that address.
        request.session["waitlist_joined"] = {
            "kind": wishes_form.cleaned_data["consultation_type"].name,
            "latest_date": wishes_form.cleaned_data["latest_date"].isoformat(),
        }
        return redirect("waitlist:joined")
    context = {"wishes_form": wishes_form, "details_form": details_form}
    return render(request, "waitlist/join.html", context)


def joined(request):
    joined = request.session.get("waitlist_joined")
    if not joined:
        raise Http404
    context = {"kind": joined["kind"], "latest_date": datetime.date.fromisoformat(joined["latest_date"])}
    return render(request, "waitlist/joined.html", context)


def _entry_or_404(token):
    entry = waitlist.entry_for_token(token)
    if entry is None:
        raise Http404
    return entry


@require_http_methods(["GET", "HEAD"])
def place(request, token):
    entry = _entry_or_404(token)
    context = {"entry": entry, "token": token, "offers": waitlist.open_offers(entry, now=timezone.now())}
    return render(request, "waitlist/place.html", context)


@require_http_methods(["GET", "POST"])
def change(request, token):
    entry = _entry_or_404(token)
    form = WishesForm(request.POST or None, initial=WishesForm.initial_for(entry))
    if request.method == "POST" and form.is_valid():
        waitlist.change(entry=entry, wishes=form.wishes(), now=timezone.now())
        return redirect("waitlist:place", token=token)
    return render(request, "waitlist/change.html", {"entry": entry, "token": token, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def leave(request, token):
    entry = _entry_or_404(token)
    if request.method != "POST":
        return render(request, "waitlist/leave.html", {"entry": entry, "token": token})
    waitlist.leave(entry=entry, now=timezone.now())
    request.session["waitlist_left"] = True
    return redirect("waitlist:left")


def left(request):
    if not request.session.get("waitlist_left"):
        raise Http404
    return render(request, "waitlist/left.html")


@require_http_methods(["GET", "POST"])
def accept(request, token, offer_id):
    """Take the offered time: the health questions as in booking, then the booking service books it."""
    entry = _entry_or_404(token)
    now = timezone.now()
    offer = next((o for o in waitlist.open_offers(entry, now=now) if o.pk == offer_id), None)
    if offer is None:
        return render(request, "waitlist/offer_closed.html", {"entry": entry, "token": token}, status=410)
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = waitlist.accept(offer=offer, answers=form.cleaned_data, now=now)
        except waitlist.OfferGone:
            return render(request, "waitlist/offer_closed.html", {"entry": entry, "token": token}, status=410)
        except SlotUnavailable as unavailable:
            context = {"entry": entry, "token": token, "alternatives": unavailable.alternatives}
            return render(request, "waitlist/slot_taken.html", context, status=409)
        request.session["waitlist_booked"] = appointment.reference
        return redirect("waitlist:booked")
    return render(request, "waitlist/accept.html", {"entry": entry, "token": token, "offer": offer, "form": form})


def booked(request):
    reference = request.session.get("waitlist_booked")
    appointment = (
        Appointment.objects.select_related("practitioner", "consultation_type")
        .filter(reference=reference or "")
        .first()
    )
    if appointment is None:
        raise Http404
    return render(request, "waitlist/booked.html", {"appointment": appointment})
