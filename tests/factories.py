"""factory_boy factories for the main models: rows that make sense on their own, each field overridable."""

import datetime
import uuid

import factory
from factory.django import DjangoModelFactory

from clinic.models import Appointment, ConsultationType, Outbox, Patient, Practitioner, TreatmentRecord, WorkingHours

# A fixed moment for rows whose times do not matter to the test.
T0 = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)


class ConsultationTypeFactory(DjangoModelFactory):
    class Meta:
        model = ConsultationType
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Consultation {n}")
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    duration_minutes = 30
    buffer_minutes = 10


class PractitionerFactory(DjangoModelFactory):
    """A practitioner working Monday to Friday, 09:00–17:00, offering `consultation_types`."""

    class Meta:
        model = Practitioner
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Dr Test {n}")

    @factory.post_generation
    def consultation_types(self, create, kinds, **kwargs):
        if create and kinds:
            self.consultation_types.set(kinds)

    @factory.post_generation
    def weekdays(self, create, days, **kwargs):
        if create:
            WorkingHours.objects.bulk_create(
                WorkingHours(practitioner=self, weekday=day, start=datetime.time(9), end=datetime.time(17))
                for day in (range(5) if days is None else days)
            )


class PatientFactory(DjangoModelFactory):
    class Meta:
        model = Patient

    name = factory.Sequence(lambda n: f"Patient {n}")
    email = factory.Sequence(lambda n: f"patient{n}@example.test")
    phone = "+447911123456"
    date_of_birth = datetime.date(1990, 5, 17)


class AppointmentFactory(DjangoModelFactory):
    """A booked appointment whose end and buffer follow its consultation type, as the booking service makes them."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    consultation_type = factory.SubFactory(ConsultationTypeFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    starts_at = T0
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + a.consultation_type.duration)
    blocks_until = factory.LazyAttribute(lambda a: a.ends_at + a.consultation_type.buffer)
    privacy_notice_version = "2026-11"
    consented_at = T0


class TreatmentRecordFactory(DjangoModelFactory):
    """A treatment performed; `treatment` must be given (a treatments.TreatmentPage)."""

    class Meta:
        model = TreatmentRecord

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    performed_at = T0


class OutboxFactory(DjangoModelFactory):
    class Meta:
        model = Outbox

    recipient = factory.Sequence(lambda n: f"patient{n}@example.test")
    subject = "A message from Riverside Skin Clinic"
    body_text = "Hello.\n"
    body_html = "<p>Hello.</p>"
    kind = "test_message"
    cause = factory.Sequence(lambda n: f"test:{n}")
    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    send_after = T0
    next_attempt_at = factory.SelfAttribute("send_after")
    message_id = factory.LazyFunction(lambda: f"<{uuid.uuid4().hex}@clinic.test>")
    created_at = T0
