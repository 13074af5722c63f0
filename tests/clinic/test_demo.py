"""The demo a person sees on a first `make run`: a diary with today's and the next days' patients, one seen already."""

import datetime

import pytest

from clinic.demo import DEMO_DOMAIN, load_demo_week
from clinic.lib import clock
from clinic.models import AftercareCheckIn, Appointment, Outbox, TreatmentRecord
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
    agenda = clinician.get(f"/{settings.ADMIN_URL}agenda/").content.decode()
    assert "Priya Desai" in agenda and "Hannah Webb" in agenda
    dashboard = clinician.get(f"/{settings.ADMIN_URL}").content.decode()
    assert "Priya Desai" in dashboard


def test_a_second_run_makes_nothing_more(now):
    load_demo_week(now=NOW)
    before = Appointment.objects.count()
    assert load_demo_week(now=NOW) == 0 and Appointment.objects.count() == before
