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
    ("today", "visit"),
    [
        (datetime.date(2026, 12, 1), datetime.date(2026, 11, 30)),  # a Tuesday: Monday
        (datetime.date(2026, 11, 30), datetime.date(2026, 11, 27)),  # a Monday: the Friday before
        (datetime.date(2026, 11, 29), datetime.date(2026, 11, 27)),  # a Sunday: Friday
    ],
)
@pytest.mark.parametrize("clock_time", [(0, 5), (11, 0), (17, 59), (23, 30)])
def test_the_patient_seen_earlier_was_seen_on_the_last_clinic_day(today, visit, clock_time):
    assert _last_visit(clock.at(today, datetime.time(*clock_time))) == clock.at(visit, datetime.time(15))


@pytest.mark.parametrize("clock_time", [(0, 5), (11, 39), (17, 59), (23, 30)])
def test_her_first_aftercare_email_is_due_at_once_at_any_hour(clock_time):
    now = clock.at(clock.today(NOW), datetime.time(*clock_time))
    load_demo_week(now=now)
    due = Outbox.objects.filter(kind="aftercare", status=Outbox.Status.PENDING, send_after__lte=now)
    assert due.count() == 1


def test_demo_patients_have_their_own_numbers_that_the_forms_accept(now):
    load_demo_week(now=NOW)
    phones = list(Patient.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) >= 8
    assert all(normalise_phone(phone) == phone and phone.startswith("+44207946") for phone in phones)
