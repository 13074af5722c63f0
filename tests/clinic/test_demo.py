"""The demo a person sees on a first `make run`: a diary with today's and the next days' patients, one seen already."""

import datetime

import pytest

from clinic.demo import DEMO_DOMAIN, _last_visit, load_demo_week
from clinic.lib import clock
from clinic.lib.phones import normalise_phone
from clinic.models import AftercareCheckIn, Appointment, Outbox, Patient, TreatmentRecord
from clinic.staff import roles
from tests.clinic_fixtures import NOW

pytestmark = pytest.mark.django_db


def test_the_demo_week_fills_the_agenda_and_the_dashboard(now, staff_client, settings):
    made = load_demo_week(now=NOW)
    demo = Appointment.objects.filter(patient__email__endswith=f"@{DEMO_DOMAIN}")
    assert made == demo.count() >= 8
    days = {clock.today(a.starts_at) for a in demo}
    assert {clock.today(NOW), clock.today(NOW) + datetime.timedelta(days=1)} <= days
    [attended] = demo.filter(status=Appointment.Status.ATTENDED)
    assert attended.starts_at < NOW
    record = TreatmentRecord.objects.get(appointment=attended)
    assert Outbox.objects.filter(cause=f"treatment_record:{record.pk}", kind="aftercare").exists()
    assert AftercareCheckIn.objects.filter(record=record, feeling="worried", handled_at__isnull=True).exists()
    clinician = staff_client(roles.CLINICIAN)
    assert "Priya Desai" in clinician.get(f"/{settings.ADMIN_URL}agenda/").content.decode()
    seen = clock.local(attended.starts_at)
    assert "Hannah Webb" in clinician.get(f"/{settings.ADMIN_URL}agenda/{seen.date()}/").content.decode()
    dashboard = clinician.get(f"/{settings.ADMIN_URL}").content.decode()
    assert "Priya Desai" in dashboard


def test_a_second_run_makes_nothing_more(now):
    load_demo_week(now=NOW)
    before = Appointment.objects.count()
    assert load_demo_week(now=NOW) == 0 and Appointment.objects.count() == before


@pytest.mark.parametrize(
    ("clock_time", "visit"),
    [
        ((3, 23), (-1, 16)),  # a night-time `make run`: yesterday afternoon, not 01:00
        ((10, 59), (-1, 16)),
        ((11, 0), (0, 9)),
        ((12, 30), (0, 10)),
        ((23, 0), (0, 16)),
    ],
)
def test_the_patient_seen_earlier_was_seen_in_clinic_hours(clock_time, visit):
    day = clock.today(NOW)
    now = clock.at(day, datetime.time(*clock_time))
    days, hour = visit
    assert _last_visit(now) == clock.at(day + datetime.timedelta(days=days), datetime.time(hour))


def test_demo_patients_have_their_own_numbers_that_the_forms_accept(now):
    load_demo_week(now=NOW)
    phones = list(Patient.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) >= 8
    assert all(normalise_phone(phone) == phone and phone.startswith("+44207946") for phone in phones)
