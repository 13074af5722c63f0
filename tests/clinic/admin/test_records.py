"""Recording a treatment from an appointment starts aftercare; correcting or voiding it adjusts what is pending."""

import datetime

import pytest
import time_machine

from clinic.models import Outbox, TreatmentRecord
from clinic.staff import roles
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup
from treatments.models import AftercareStep, TreatmentPage

pytestmark = pytest.mark.django_db

Status = Outbox.Status


@pytest.fixture
def laser():
    """The laser page with an aftercare plan (the seeded one, or two steps made here)."""
    page = TreatmentPage.objects.get(slug="laser")
    if not page.aftercare_steps.filter(active=True).exists():
        for day in (1, 7):
            AftercareStep.objects.create(
                treatment=page, day_offset=day, send_time=datetime.time(9), title=f"Day {day}", body="Keep it clean."
            )
    page.steps = page.aftercare_steps.filter(active=True).count()
    return page


@pytest.fixture
def records_url(settings):
    return f"/{settings.ADMIN_URL}clinic/treatmentrecord/"


def form_data(record_or_appointment, treatment, performed_at, notes="Three milia removed."):
    local = performed_at
    return {
        "treatment": treatment.pk,
        "practitioner": record_or_appointment.practitioner_id,
        "performed_at_0": local.date().isoformat(),
        "performed_at_1": local.strftime("%H:%M"),
        "notes": notes,
    }


def test_a_clinician_records_a_treatment_from_the_appointment_and_aftercare_starts(
    staff_client, settings, records_url, book, laser, dr_shah
):
    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    with time_machine.travel(at(TUESDAY, 10, 40), tick=False):  # after the consultation
        record_from_the_appointment(staff_client(roles.CLINICIAN), settings, appointment, laser)


def record_from_the_appointment(clinician, settings, appointment, laser):
    change_page = soup(clinician.get(f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/change/"))
    link = change_page.find("a", string="Record a treatment")["href"]
    form = soup(clinician.get(link))
    assert form.find("option", value=str(appointment.patient_id), selected=True)
    assert form.find("input", attrs={"name": "performed_at_0"})["value"] == "08/12/2026"

    data = {
        **form_data(appointment, laser, at(TUESDAY, 10)),
        "appointment": appointment.pk,
        "patient": appointment.patient_id,
    }
    response = clinician.post(link, data)
    assert response.status_code == 302, soup(response).select(".errorlist")
    record = TreatmentRecord.objects.get()
    assert (record.appointment, record.treatment, record.created_by) == (appointment, laser, clinician.user)
    emails = Outbox.objects.filter(cause=f"treatment_record:{record.pk}", status=Status.PENDING)
    assert emails.count() == laser.steps


def test_correcting_the_date_replans_the_pending_aftercare(staff_client, records_url, book, laser, dr_shah, now):
    from clinic.aftercare.services import record_treatment

    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    record = record_treatment(
        patient=appointment.patient, treatment=laser, practitioner=dr_shah, performed_at=at(TUESDAY, 10), now=now
    )
    later = TUESDAY + datetime.timedelta(days=2)
    with time_machine.travel(at(later, 11), tick=False):
        response = staff_client(roles.CLINICIAN).post(
            f"{records_url}{record.pk}/change/", form_data(record, laser, at(later, 10))
        )
    assert response.status_code == 302
    pending = Outbox.objects.filter(cause=f"treatment_record:{record.pk}", status=Status.PENDING)
    assert pending.count() == laser.steps
    assert all(e.send_after >= at(later, 0) for e in pending)  # planned from the corrected day
    assert Outbox.objects.filter(cause=f"treatment_record:{record.pk}", status=Status.CANCELLED).count() == laser.steps


def test_voiding_a_record_asks_why_and_cancels_its_pending_aftercare(clinician, records_url, book, laser, dr_shah, now):
    from clinic.aftercare.services import record_treatment

    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    record = record_treatment(
        patient=appointment.patient, treatment=laser, practitioner=dr_shah, performed_at=at(TUESDAY, 10), now=now
    )
    selected = {"action": "void", "_selected_action": [record.pk]}
    assert "Void these records" in clinician.post(records_url, selected).content.decode()
    response = clinician.post(records_url, {**selected, "confirm": "yes", "reason": "Wrong patient"}, follow=True)
    assert "1 treatment record(s) voided" in response.content.decode()
    record.refresh_from_db()
    assert record.is_void and record.void_reason == "Wrong patient"
    assert not Outbox.objects.filter(cause=f"treatment_record:{record.pk}", status=Status.PENDING).exists()


def test_treatment_records_cannot_be_deleted_and_their_history_is_kept(
    staff_client, records_url, book, laser, dr_shah, now
):
    from clinic.aftercare.services import record_treatment

    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    record = record_treatment(
        patient=appointment.patient, treatment=laser, practitioner=dr_shah, performed_at=at(TUESDAY, 10), now=now
    )
    with time_machine.travel(at(TUESDAY, 11), tick=False):
        clinician = staff_client(roles.CLINICIAN)
        clinician.post(
            f"{records_url}{record.pk}/change/", form_data(record, laser, at(TUESDAY, 10), notes="Corrected")
        )
        assert clinician.get(f"{records_url}{record.pk}/delete/").status_code == 403
        history = clinician.get(f"{records_url}{record.pk}/history/").content.decode()
    assert "Corrected" in history and clinician.user.username in history


def test_a_treatment_cannot_be_recorded_in_the_future(clinician, records_url, book, laser, dr_shah):
    """At 08:00 on Monday, a treatment "performed" at 10:00 on Tuesday is a form error, and nothing starts."""
    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    data = {**form_data(appointment, laser, at(TUESDAY, 10)), "patient": appointment.patient_id}
    response = clinician.post(f"{records_url}add/", data)
    assert response.status_code == 200
    errors = soup(response).select_one("#id_performed_at_error").get_text()
    assert "cannot be recorded before it has happened" in errors and "08 Dec 2026 10:00" in errors
    assert not TreatmentRecord.objects.exists() and not Outbox.objects.filter(kind="aftercare").exists()


def test_a_correction_cannot_move_a_record_into_the_future(clinician, records_url, book, laser, dr_shah, now):
    from clinic.aftercare.services import record_treatment

    appointment = book(at(TUESDAY, 10), practitioner=dr_shah)
    record = record_treatment(
        patient=appointment.patient, treatment=laser, practitioner=dr_shah, performed_at=now, now=now
    )
    response = clinician.post(f"{records_url}{record.pk}/change/", form_data(record, laser, at(TUESDAY, 10)))
    assert response.status_code == 200 and "cannot be recorded before it has happened" in response.content.decode()
    record.refresh_from_db()
    assert record.performed_at == now
