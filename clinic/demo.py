"""The demo clinic: its schedule (also the tests' standard clinic) and, for a local run, a realistic few days."""

import datetime

from django.conf import settings
from django.db import transaction

from treatments.models import AftercareStep, TreatmentPage

from .lib import clock
from .models import AftercareCheckIn, Appointment, ConsultationType, Patient, Practitioner, Questionnaire, WorkingHours

CONSULTATION_TYPES = [
    {
        "slug": "milia-consultation",
        "name": "Milia consultation",
        "description": "Talk through your milia and the treatment options with a clinician. Treatment can often be "
        "arranged for another day.",
        "duration_minutes": 30,
        "buffer_minutes": 10,
        "price": "95.00",
        "treatments": ["extraction", "laser", "dermabrasion", "excision"],
    },
    {
        "slug": "follow-up",
        "name": "Follow-up after treatment",
        "description": "A short check after a treatment, or for stitch removal.",
        "duration_minutes": 15,
        "buffer_minutes": 5,
        "price": None,
        "treatments": [],
    },
]

PRACTITIONERS = [
    ("Dr Amira Shah", "Consultant dermatologist", "Amira has treated skin conditions for over 15 years."),
    ("Sam Okafor", "Dermatology nurse specialist", "Sam runs our minor procedures and aftercare clinics."),
]

# Monday to Friday, with a lunch break.
WEEKLY_HOURS = [(datetime.time(9), datetime.time(12, 30)), (datetime.time(13, 30), datetime.time(17))]


@transaction.atomic
def load_demo_schedule():
    """Consultation types, two practitioners and their weekly hours, created once."""
    kinds = []
    for data in CONSULTATION_TYPES:
        data = dict(data)
        treatment_slugs = data.pop("treatments")
        kind, created = ConsultationType.objects.get_or_create(slug=data["slug"], defaults=data)
        if created:
            kind.treatments.set(TreatmentPage.objects.filter(slug__in=treatment_slugs))
        kinds.append(kind)
    for name, title, bio in PRACTITIONERS:
        practitioner, created = Practitioner.objects.get_or_create(name=name, defaults={"title": title, "bio": bio})
        if created:
            practitioner.consultation_types.set(kinds)
            WorkingHours.objects.bulk_create(
                WorkingHours(practitioner=practitioner, weekday=day, start=start, end=end)
                for day in range(5)
                for start, end in WEEKLY_HOURS
            )
    return kinds


# A realistic few days for a local try: (day from today, clinic time, practitioner index, type slug, patient).
DEMO_DOMAIN = "demo.example"
DEMO_DIARY = [
    (0, "10:30", 0, "milia-consultation", "Priya Desai"),
    (0, "14:00", 0, "milia-consultation", "Tom Fletcher"),
    (0, "11:00", 1, "follow-up", "Grace Okonjo"),
    (0, "15:30", 1, "milia-consultation", "Ahmed Karimi"),
    (1, "09:00", 0, "milia-consultation", "Lucy Brennan"),
    (1, "09:45", 0, "milia-consultation", "Mei Lin"),
    (1, "13:30", 1, "follow-up", "Daniel Price"),
    (2, "10:00", 0, "milia-consultation", "Sofia Rossi"),
    (3, "16:00", 1, "milia-consultation", "Oliver Grant"),
]
WORRY = "The spot where the milium was removed looks redder today than yesterday. Is that normal?"


def _demo_phone(name):
    """A number of Ofcom's London range for drama (020 7946 0000-0999): valid to the forms, never anyone's."""
    return f"+44207946{sum(map(ord, name)) % 1000:04d}"


def _demo_patient(name):
    email = f"{name.lower().replace(' ', '.')}@{DEMO_DOMAIN}"
    defaults = {"name": name, "phone": _demo_phone(name), "date_of_birth": datetime.date(1988, 4, 2)}
    patient, _ = Patient.objects.get_or_create(email=email, defaults=defaults)
    return patient


def _last_visit(now):
    """15:00 on the last weekday before today (the demo clinic's days), whatever the time of a `make run`.

    A day back, not hours: her day-0 aftercare email (18:00 on the day) is already due, so the worker
    delivers it to the mailbox at once, at any hour.
    """
    day = clock.today(now) - datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return clock.at(day, datetime.time(15))


def _demo_appointment(patient, practitioner, kind, starts_at, *, now, status=Appointment.Status.BOOKED):
    """A booking as the desk would enter it: the rows only, no confirmation email for made-up patients."""
    ends_at = starts_at + kind.duration
    appointment = Appointment.objects.create(
        patient=patient,
        practitioner=practitioner,
        consultation_type=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        blocks_until=ends_at + kind.buffer,
        status=status,
        privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
        consented_at=now,
    )
    Questionnaire.objects.create(appointment=appointment, **dict.fromkeys(Questionnaire.QUESTIONS, "no"))
    return appointment


@transaction.atomic
def load_demo_week(*, now):
    """Appointments today and over the next days, one attended earlier with its treatment recorded and its
    aftercare started, and a worried check-in from that patient: the agenda and dashboard show the product.

    Made once: a second run finds the demo patients and changes nothing. Returns how many appointments it made.
    """
    from .aftercare import services as aftercare

    if Patient.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
        return 0
    kinds = {kind.slug: kind for kind in load_demo_schedule()}
    practitioners = [Practitioner.objects.get(name=name) for name, _, _ in PRACTITIONERS]
    today = clock.today(now)
    made = []
    for days, time, who, slug, name in DEMO_DIARY:
        starts_at = clock.at(today + datetime.timedelta(days=days), datetime.time.fromisoformat(time))
        if starts_at > now:  # a run late in the day skips what would be in the past
            made.append(_demo_appointment(_demo_patient(name), practitioners[who], kinds[slug], starts_at, now=now))
    # Seen earlier, in clinic hours: attended, an extraction recorded, its aftercare started, and a worry sent back.
    seen_at = _last_visit(now)
    patient = _demo_patient("Hannah Webb")
    attended = _demo_appointment(
        patient, practitioners[0], kinds["milia-consultation"], seen_at, now=now, status=Appointment.Status.ATTENDED
    )
    made.append(attended)
    record = aftercare.record_treatment(
        patient=patient,
        treatment=TreatmentPage.objects.get(slug="extraction"),
        practitioner=practitioners[0],
        performed_at=seen_at + datetime.timedelta(minutes=15),
        notes="Three milia removed from the left cheek by de-roofing. Tolerated well.",
        appointment=attended,
        now=now,
    )
    step = AftercareStep.objects.filter(treatment=record.treatment, active=True).order_by("day_offset").first()
    if step is not None:
        link = aftercare.link_for_token(aftercare.new_link(record, step, now=now), now=now)
        aftercare.check_in(link=link, feeling=AftercareCheckIn.Feeling.WORRIED, message=WORRY, now=now)
    return len(made)
