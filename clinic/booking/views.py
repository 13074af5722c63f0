"""The online booking flow at /book/: works without JavaScript, one short step at a time.

Choices made along the way are kept in the session, so going back, or losing a slot to
someone else, never loses what the patient typed.
"""

import datetime
import secrets

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as django_render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from ..lib import clock
from ..models import Appointment, ConsultationType, Practitioner, Questionnaire
from . import journey, picker, rows, schedule, timing
from . import services as booking
from .forms import NO_PREFERENCE, ChooseConsultationForm, ConfirmForm, DetailsForm, QuestionnaireForm, SlotForm
from .ics import appointment_ics
from .services import PatientDetails, SlotUnavailable

SESSION_KEY = "booking"
STEPS = [(1, "Appointment"), (2, "Time"), (3, "Your details"), (4, "Questions"), (5, "Confirm")]
SENSITIVE = ("name", "email", "phone", "date_of_birth", "notes")


def render(request, template, context=None, status=200):
    """A booking page: its steps, the error summary of its form, and the booking so far."""
    context = context or {}
    shared = {
        "booking_steps": STEPS,
        "error_summary": journey.error_summary(context.get("form")),
        "booking_summary": journey.summary_panel(_state(request), now=timezone.now()),
        "cancellation_cutoff_hours": settings.CLINIC_CANCELLATION_CUTOFF_HOURS,
    }
    return django_render(request, template, {**shared, **context}, status=status)


def _state(request):
    return request.session.get(SESSION_KEY, {})


def _save_state(request, **changes):
    request.session[SESSION_KEY] = {**_state(request), **changes}


def _choice(state):
    """The consultation type and practitioner (None: no preference) chosen so far, or None.

    Read once, at step 1: later steps rebuild them from the copy the session keeps (`rows.copy`).
    """
    kept = state.get("rows") or {}
    if kept.get("type") and state.get("type") == kept["type"].get("slug"):
        practitioner = rows.restore(Practitioner, kept["practitioner"]) if kept.get("practitioner") else None
        return rows.restore(ConsultationType, kept["type"]), practitioner
    kind = ConsultationType.objects.filter(slug=state.get("type"), bookable_online=True).first()
    if kind is None:
        return None, None
    practitioner = None
    if state.get("practitioner") not in (None, NO_PREFERENCE):
        practitioner = Practitioner.objects.filter(pk=state["practitioner"], active=True).first()
    return kind, practitioner


def choose(request):
    """Step 1: what to book and with whom (a GET form, so it can be bookmarked)."""
    initial = {}
    treatment = request.GET.get("treatment")
    if treatment:
        kind = ConsultationType.objects.filter(bookable_online=True, treatments__slug=treatment).first()
        if kind:
            initial["consultation_type"] = kind.slug
            # The treatment the patient came from stays in the summary of every step.
            _save_state(request, treatment=kind.treatments.filter(slug=treatment).values_list("title", flat=True)[0])
    submitted = "consultation_type" in request.GET or "step" in request.GET  # "step": an empty submit
    form = ChooseConsultationForm(request.GET if submitted else None, initial=initial)
    if form.is_bound and form.is_valid():
        summary = journey.summary_of_choice(
            kind=form.cleaned_data["consultation_type"],
            practitioner=form.cleaned_data["practitioner_obj"],
            treatment=_state(request).get("treatment"),
        )
        kind, practitioner = form.cleaned_data["consultation_type"], form.cleaned_data["practitioner_obj"]
        _save_state(
            request,
            type=kind.slug,
            practitioner=form.cleaned_data["practitioner"],
            rows={"type": rows.copy(kind), "practitioner": rows.copy(practitioner) if practitioner else None},
            slot=None,
            summary=summary,
        )
        return redirect("booking:times")
    # Step 1 starts the choice again: its panel holds only the treatment the patient came from.
    panel = {"treatment": _state(request)["treatment"]} if _state(request).get("treatment") else {}
    return render(request, "booking/choose.html", {"form": form, "step": 1, "booking_summary": panel})


def _week_start(request, kind, practitioner, today, now):
    """The week to show (a day in it), the start to preselect, and that week's free start times if already found.

    The week asked for, or (`?first=1`) the first week with a free slot, found a week at a time.
    """
    if request.GET.get("first"):
        found = schedule.first_week_with_free_time(
            consultation_type=kind, practitioner=practitioner, today=today, now=now
        )
        if found:
            monday, starts = found
            return monday, starts[0], starts
    return schedule.requested_week(request.GET.get("week"), today=today), None, None


@require_http_methods(["GET", "POST"])
def times(request):
    """Step 2: a week of free times as radio groups, one group per day."""
    kind, practitioner = _choice(_state(request))
    if kind is None:
        return redirect("booking:choose")
    now = timezone.now()
    today = clock.today(now)
    anchor, preselected, starts = today, None, None
    if request.method == "POST":
        form = SlotForm(request.POST)
        if form.is_valid():
            starts_at = form.cleaned_data["slot"]
            try:
                booking.check_slot(consultation_type=kind, practitioner=practitioner, starts_at=starts_at, now=now)
            except SlotUnavailable as unavailable:
                context = {"kind": kind, "message": str(unavailable), "alternatives": unavailable.alternatives}
                return render(request, "booking/slot_taken.html", context, status=409)
            # The confirming form's key is made with the slot, in the write that step makes anyway.
            key = _state(request).get("key") or secrets.token_urlsafe(24)
            _save_state(request, slot=starts_at.isoformat(), key=key)
            return redirect("booking:details" if not _state(request).get("details") else "booking:review")
        anchor = today
    else:
        form = SlotForm()
        anchor, preselected, starts = _week_start(request, kind, practitioner, today, now)
    week = schedule.week_of_free_times(
        consultation_type=kind, practitioner=practitioner, anchor=anchor, today=today, now=now, starts=starts
    )
    chosen = clock.local(preselected).isoformat() if preselected else _state(request).get("slot")
    context = {
        "step": 2,
        "form": form,
        "kind": kind,
        "practitioner": practitioner,
        "chosen": chosen,
        "picker_html": picker.grid_html(week["picker_days"], chosen),
        **week,
    }
    return render(request, "booking/times.html", context)


@sensitive_post_parameters(*SENSITIVE)
@require_http_methods(["GET", "POST"])
def details(request):
    """Step 3: the patient's details and consent."""
    state = _state(request)
    if not state.get("slot"):
        return redirect("booking:times")
    form = DetailsForm(request.POST if request.method == "POST" else None, initial=state.get("details"))
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "date_of_birth": form.cleaned_data["date_of_birth"].isoformat()}
        _save_state(request, details=data)
        return redirect("booking:questions")
    return render(request, "booking/details.html", {"form": form, "step": 3})


@require_http_methods(["GET", "POST"])
def questions(request):
    """Step 4: a few questions that matter for these treatments (seen by clinicians only)."""
    state = _state(request)
    if not state.get("details"):
        return redirect("booking:details")
    form = QuestionnaireForm(request.POST if request.method == "POST" else None, initial=state.get("answers"))
    if request.method == "POST" and form.is_valid():
        _save_state(request, answers=form.cleaned_data)
        return redirect("booking:review")
    return render(request, "booking/questions.html", {"form": form, "step": 4})


def _review_context(state, kind, practitioner):
    starts_at = datetime.datetime.fromisoformat(state["slot"])
    labels = {name: Questionnaire._meta.get_field(name).verbose_name for name in Questionnaire.QUESTIONS}
    answers = dict(Questionnaire.Answer.choices)
    return {
        "step": 5,
        "kind": kind,
        "practitioner": practitioner,
        "starts_at": starts_at,
        "cannot_change_online": timing.inside_cutoff(starts_at, now=timezone.now()),
        "treatment": state.get("treatment"),
        "date_of_birth": datetime.date.fromisoformat(state["details"]["date_of_birth"]),
        "details": state["details"],
        "answers": [(labels[k], answers[v]) for k, v in state["answers"].items()],
    }


@sensitive_post_parameters(*SENSITIVE)
@require_http_methods(["GET", "POST"])
def review(request):
    """Step 5: check everything, then confirm. The hidden key makes a double submit book once."""
    if request.method == "POST":
        # Submitted again after booking (double click, or back and submit): same confirmation.
        # Only a browser that has booked can be submitting again: no query for a first submit.
        key = request.POST.get("idempotency_key", "")
        booked = request.session.get("booked")
        done = Appointment.objects.filter(idempotency_key=key).only("reference").first() if key and booked else None
        if done is not None and booked == done.reference:
            return redirect("booking:confirmed")
    state = _state(request)
    if not (state.get("slot") and state.get("details") and state.get("answers")):
        return redirect("booking:choose")
    kind, practitioner = _choice(state)
    if kind is None:
        return redirect("booking:choose")
    if request.method == "GET":
        if not state.get("key"):
            _save_state(request, key=secrets.token_urlsafe(24))
        form = ConfirmForm(initial={"idempotency_key": _state(request)["key"]})
        return render(request, "booking/review.html", {**_review_context(state, kind, practitioner), "form": form})

    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return redirect("booking:review")
    details = state["details"]
    try:
        appointment = booking.book_consultation(
            consultation_type=kind,
            practitioner=practitioner,
            starts_at=datetime.datetime.fromisoformat(state["slot"]),
            details=PatientDetails(
                name=details["name"],
                email=details["email"],
                phone=details["phone"],
                date_of_birth=datetime.date.fromisoformat(details["date_of_birth"]),
                marketing_consent=details["marketing_consent"],
            ),
            answers=state["answers"],
            notes=details["notes"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            now=timezone.now(),
        )
    except SlotUnavailable as unavailable:
        _save_state(request, slot=None, key=None)
        context = {"kind": kind, "message": str(unavailable), "alternatives": unavailable.alternatives, "step": 2}
        return render(request, "booking/slot_taken.html", context, status=409)
    request.session.pop(SESSION_KEY, None)
    request.session["booked"] = appointment.reference
    return redirect("booking:confirmed")


def _booked_appointment(request):
    reference = request.session.get("booked")
    return get_object_or_404(
        Appointment.objects.select_related("practitioner", "consultation_type"), reference=reference or ""
    )


def confirmed(request):
    """The confirmation page, shown only to the browser that booked."""
    appointment = _booked_appointment(request)
    context = {"appointment": appointment, "can_change": booking.can_change_online(appointment, now=timezone.now())}
    return render(request, "booking/confirmed.html", context)


def confirmed_calendar(request):
    appointment = _booked_appointment(request)
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.reference}.ics"'
    return response
