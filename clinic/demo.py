"""A demo schedule for a local run (and the tests' standard clinic). Idempotent."""

import datetime

from django.db import transaction

from treatments.models import TreatmentPage

from .models import ConsultationType, Practitioner, WorkingHours

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
