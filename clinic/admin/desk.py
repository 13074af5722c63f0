"""The front desk books for a patient (phone or walk-in): find or add them, choose a free time, confirm.

The same booking function, database constraint, questionnaire and emails as online booking. Staff with
`clinic.override_booking_rules` also see times inside the minimum notice and beyond the online horizon
(the appointment's history says so); staff choose whether the patient is emailed.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..booking import schedule
from ..booking import services as booking
from ..lib import clock
from ..models import Appointment, ConsultationType, Patient, Practitioner
from ..staff.patient_search import patients_matching
from .common import require
from .desk_forms import (
    AppointmentChoiceForm,
    DeskBookingForm,
    NewPatientForm,
    PatientSearchForm,
    describe_slot,
    parse_moment,
    parse_slot_choice,
    slot_choice,
)

# What the desk carries from page to page: the patient, and the time clicked on the agenda.
CARRIED = ("patient", "practitioner", "type", "day", "start")
MAX_RESULTS = 20


def find_patients(text):
    """Patients (not erased) found by name, email or a phone number typed in any format."""
    return list(patients_matching(text).order_by("name", "pk")[:MAX_RESULTS])


def _carried(source, **changes):
    values = {key: source.get(key, "") for key in CARRIED}
    values.update(changes)
    return {key: value for key, value in values.items() if value not in ("", None)}


def book_url(**params):
    return reverse("admin:desk_book") + ("?" + urlencode(params, safe=":") if params else "")


def book_for_patient(request):
    """Step one finds or adds the patient; step two chooses the time and confirms."""
    require(request, "clinic.add_appointment")
    pk = request.GET.get("patient", "")
    patient = Patient.objects.filter(pk=pk, erased_at__isnull=True).first() if pk.isdigit() else None
    if patient is None:
        return _find_patient(request, NewPatientForm())
    return _book(request, patient)


def _find_patient(request, new_patient_form, carried=None):
    carried = carried if carried is not None else _carried(request.GET, patient="")
    search = PatientSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    results = [(p, book_url(**carried, patient=p.pk)) for p in find_patients(query)]
    context = {
        **admin.site.each_context(request),
        "title": "Book for a patient: find the patient",
        "search": search,
        "query": query,
        "results": results,
        "carried": carried,
        "new_patient_form": new_patient_form,
        "may_add_patient": request.user.has_perm("clinic.add_patient"),
    }
    return TemplateResponse(request, "admin/clinic/desk/find_patient.html", context)


@require_POST
def new_patient(request):
    """Add a patient's record (history says who added it), then go on to book for them."""
    require(request, "clinic.add_appointment", "clinic.add_patient")
    carried = _carried(request.POST, patient="")
    form = NewPatientForm(request.POST)
    if not form.is_valid():
        return _find_patient(request, form, carried)
    data = form.cleaned_data
    patient = Patient(name=data["name"], email=data["email"], phone=data["phone"], date_of_birth=data["date_of_birth"])
    patient._change_reason = f"Added at the front desk by {request.user.get_username()}"
    patient.save()
    messages.success(request, f"{patient.name} added.")
    return redirect(book_url(**carried, patient=patient.pk))


def _choice(request, now):
    """The consultation type, practitioner and day to list free times for, from the query or sensible defaults."""
    start = parse_moment(request.GET.get("start", ""))
    practitioner = (
        request.GET.get("practitioner") or Practitioner.objects.filter(active=True).values_list("pk", flat=True).first()
    )
    kind = request.GET.get("type") or (
        ConsultationType.objects.filter(practitioners=practitioner).values_list("slug", flat=True).first()
        if str(practitioner).isdigit()
        else None
    )
    day = request.GET.get("day") or clock.today(start or now).isoformat()
    return AppointmentChoiceForm({"type": kind, "practitioner": practitioner, "day": day}), start


def _slots(choice, *, override, now):
    if not choice.is_valid():
        return []
    data = choice.cleaned_data
    return schedule.free_slots(
        consultation_type=data["type"],
        practitioner=data["practitioner"],
        first_day=data["day"],
        last_day=data["day"],
        now=now,
        rules=schedule.desk_rules() if override else None,
    )


def _book(request, patient):
    now = timezone.now()
    override = request.user.has_perm("clinic.override_booking_rules")
    choice, start = _choice(request, now)
    slots = _slots(choice, override=override, now=now)
    clicked = next((slot_choice(s) for s in slots if start and s.start == start), None)
    form = DeskBookingForm(request.POST or None, slots=slots, initial={"slot": clicked})
    alternatives = []
    if request.method == "POST" and choice.is_valid():
        alternative = request.POST.get("alternative", "")
        if parse_slot_choice(alternative):  # one click on a nearest free time offered after a lost race
            form = DeskBookingForm({**request.POST.dict(), "slot": alternative}, slots=slots)
        if form.is_valid():
            try:
                appointment = _confirm(request, patient, form, choice.cleaned_data["type"], override, now)
            except booking.SlotUnavailable as unavailable:
                form.add_error(None, str(unavailable))
                alternatives = unavailable.alternatives
                slots = _slots(choice, override=override, now=now)
                form.set_slots(slots)
            else:
                return redirect("admin:clinic_appointment_change", appointment.pk)
    elif start and not clicked and choice.is_valid():
        search: booking.SlotSearch = {"consultation_type": choice.cleaned_data["type"], "now": now}
        if override:
            search["rules"] = schedule.desk_rules()
        alternatives = booking.alternatives(search, start, choice.cleaned_data["practitioner"])
    context = {
        **admin.site.each_context(request),
        "title": f"Book for {patient.name}",
        "patient": patient,
        "choice": choice,
        "form": form,
        "slots": slots,
        "override": override,
        "alternatives": [(slot_choice(s), describe_slot(s)) for s in alternatives],
        "carried": _carried(request.GET),
        "change_patient_url": book_url(**_carried(request.GET, patient="")),
    }
    return TemplateResponse(request, "admin/clinic/desk/book.html", context)


def _confirm(request, patient, form, kind, override, now) -> Appointment:
    chosen = form.chosen()
    practitioner = Practitioner.objects.filter(pk=chosen[0], active=True).first() if chosen else None
    if practitioner is None:
        raise booking.SlotUnavailable("That time is not available.")
    notify = form.cleaned_data["notify"]
    appointment = booking.book_consultation(
        consultation_type=kind,
        practitioner=practitioner,
        starts_at=chosen[1],
        details=booking.PatientDetails(
            name=patient.name,
            email=patient.email,
            phone=patient.phone,
            date_of_birth=patient.date_of_birth,
            marketing_consent=patient.marketing_consent,
        ),
        answers=form.answers(),
        notes="",
        idempotency_key=form.cleaned_data["idempotency_key"],
        now=now,
        patient=patient,
        override_rules=override,
        notify=notify,
        booked_by=request.user.get_username(),
    )
    emailed = "The patient has been emailed a confirmation." if notify else "No email was sent."
    when = f"{clock.local(appointment.starts_at):%a %d %b at %H:%M}"
    messages.success(request, f"Booked {appointment.reference} for {patient.name}, {when}. {emailed}")
    return appointment
