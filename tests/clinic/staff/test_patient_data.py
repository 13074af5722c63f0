"""A patient's data: export for access requests, and erasure that keeps only the legal-hold records."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from clinic.aftercare.services import record_treatment
from clinic.models import Appointment, Outbox, Patient, Questionnaire, TreatmentRecord, WaitlistEntry, WaitlistOffer
from clinic.staff import roles
from clinic.staff.patient_data import erase_patient, export_csv, export_patient
from tests.clinic_fixtures import TUESDAY, at, details
from tests.helpers import soup
from treatments.models import AftercareStep, TreatmentPage

pytestmark = pytest.mark.django_db

CANARIES = {
    "name": "Canary Namey-7f3a",
    "email": "canary-7f3a@example.org",
    "phone": "+447700900733",
}
NOTES = "CANARY-7f3a-booking-notes"
CLINICAL = "CANARY-7f3a-clinical-notes"


@pytest.fixture
def patient_with_history(book, dr_shah, now):
    """A patient with a past-style treatment record, an upcoming booking and mail queued."""
    laser = TreatmentPage.objects.get(slug="laser")
    if not laser.aftercare_steps.filter(active=True).exists():
        AftercareStep.objects.create(treatment=laser, day_offset=1, send_time="09:00", title="Day 1", body="Rest.")
    appointment = book(at(TUESDAY, 10), practitioner=dr_shah, details=details(**CANARIES), notes=NOTES)
    record = record_treatment(
        patient=appointment.patient,
        treatment=laser,
        practitioner=dr_shah,
        performed_at=at(TUESDAY, 10),
        notes=CLINICAL,
        appointment=appointment,
        now=now,
    )
    return appointment.patient, appointment, record


def test_H6_the_export_holds_everything_we_keep_about_the_patient(patient_with_history, admin_user):
    patient, appointment, record = patient_with_history
    data = export_patient(patient, user=admin_user)
    assert data["left_out"] == []
    assert data["patient"]["email"] == CANARIES["email"] and data["patient"]["phone"] == CANARIES["phone"]
    [exported] = data["appointments"]
    assert exported["reference"] == appointment.reference
    assert exported["starts_at"] == "2026-12-08T10:00:00+00:00"
    assert exported["notes"] == NOTES
    assert exported["questionnaire"]["Do you get cold sores?"] == "No"
    assert data["treatment_records"][0]["clinical_notes"] == CLINICAL
    kinds = {e["kind"] for e in data["emails"]}
    # The booking is a day ahead, inside the reminder's 48 hours: a confirmation, and the aftercare.
    assert {"booking_confirmed", "aftercare"} <= kinds
    json.dumps(data)  # plain data


def test_H6_staff_download_the_export_as_json_or_csv_and_it_is_logged(
    staff_client, settings, patient_with_history, now
):
    from django.contrib.admin.models import LogEntry

    patient, appointment, _ = patient_with_history
    client = staff_client(roles.CLINIC_MANAGER)
    base = f"/{settings.ADMIN_URL}clinic/patient/{patient.pk}/"
    page = soup(client.get(base + "change/"))
    assert page.find("a", href=base + "export.json") and page.find("a", href=base + "export.csv")
    as_json = client.get(base + "export.json")
    assert as_json["Content-Type"] == "application/json"
    assert json.loads(as_json.content)["patient"]["name"] == CANARIES["name"]
    as_csv = list(csv.reader(io.StringIO(client.get(base + "export.csv").content.decode())))
    assert ["patient", "", "email", CANARIES["email"]] in as_csv
    assert ["appointments", appointment.reference, "notes", NOTES] in as_csv
    assert LogEntry.objects.filter(object_id=str(patient.pk), change_message__startswith="Exported").count() == 2
    assert staff_client(roles.CONTENT_EDITOR).get(base + "export.json").status_code == 403
    reception = json.loads(staff_client(roles.RECEPTION).get(base + "export.json").content)
    assert NOTES not in json.dumps(reception) and "booking notes" in reception["left_out"]


def test_the_patient_page_shows_appointment_history_and_emails_sent(staff_client, settings, patient_with_history, now):
    patient, appointment, _ = patient_with_history
    page = soup(staff_client(roles.RECEPTION).get(f"/{settings.ADMIN_URL}clinic/patient/{patient.pk}/change/"))
    history = page.select_one(".field-appointment_history").get_text()
    assert appointment.reference in history and "Booked" in history
    assert "booking_confirmed" in page.select_one(".field-emails_sent").get_text()


def test_the_patient_list_costs_a_fixed_number_of_queries(staff_client, settings, now, django_assert_max_num_queries):
    Patient.objects.bulk_create(
        Patient(name=f"Patient {i}", email=f"p{i}@example.org", phone="+447911123456") for i in range(200)
    )
    client = staff_client(roles.RECEPTION)
    with django_assert_max_num_queries(14):
        response = client.get(f"/{settings.ADMIN_URL}clinic/patient/", {"all": ""})
    assert len(soup(response).select("#result_list tbody tr")) == 200


def test_H5_erasing_removes_identity_cancels_mail_and_keeps_the_legal_hold_list(patient_with_history, now):
    patient, appointment, record = patient_with_history
    assert Outbox.objects.filter(recipient=CANARIES["email"], status=Outbox.Status.PENDING).exists()
    result = erase_patient(patient=patient, now=now)
    assert result["appointments_cancelled"] == 1 and result["treatment_records_kept"] == 1

    patient.refresh_from_db()
    assert patient.erased_at == now and patient.name == "Erased patient" and patient.date_of_birth is None
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_CLINIC
    assert appointment.notes == "" and not appointment.manage_links.exists()
    assert not Questionnaire.objects.filter(appointment=appointment).exists()
    assert not Outbox.objects.filter(status=Outbox.Status.PENDING).exclude(kind="staff_alert").exists()
    assert TreatmentRecord.objects.get(pk=record.pk).notes == CLINICAL  # legal hold

    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    everything = dump.getvalue()
    for canary in (*CANARIES.values(), NOTES, "Canary"):
        assert canary not in everything, canary
    assert CLINICAL in everything  # the one documented exception


def test_erasing_twice_does_nothing_more(patient_with_history, now):
    patient, _, _ = patient_with_history
    erase_patient(patient=patient, now=now)
    assert erase_patient(patient=patient, now=now) == {"already_erased": True}


def test_pending_mail_to_the_address_from_other_causes_is_cancelled_too(patient_with_history, now):
    from clinic.mail import outbox

    patient, _, _ = patient_with_history
    stray = outbox.queue_email(
        to=CANARIES["email"].upper(),
        template="test_message",
        context={},
        kind="test_message",
        cause="newsletter:1",
        idempotency_key="stray-1",
        now=now,
    )
    erase_patient(patient=patient, now=now)
    stray.refresh_from_db()
    assert stray.status == Outbox.Status.CANCELLED and stray.recipient.endswith("@erased.invalid")


def test_only_a_clinic_manager_can_erase_and_only_after_confirming(staff_client, settings, patient_with_history, now):
    patient, _, _ = patient_with_history
    url = f"/{settings.ADMIN_URL}clinic/patient/{patient.pk}/erase/"
    assert staff_client(roles.RECEPTION).get(url).status_code == 403
    assert staff_client(roles.RECEPTION).post(url).status_code == 403
    manager = staff_client(roles.CLINIC_MANAGER)
    confirm = manager.get(url)
    assert "Yes, erase this patient" in confirm.content.decode() and "legal hold" in confirm.content.decode()
    assert Patient.objects.get(pk=patient.pk).erased_at is None  # a GET changes nothing
    response = manager.post(url, follow=True)
    assert "Patient erased." in response.content.decode()
    assert Patient.objects.get(pk=patient.pk).erased_at is not None


def pg_dump(connection):
    """The whole database as pg_dump writes it (data only), through the tests' own PostgreSQL."""
    import glob
    import os
    import subprocess

    db = connection.settings_dict
    [binary] = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))[-1:]
    command = [binary, "--data-only", "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"], db["NAME"]]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=True).stdout


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_J5_H5_erasing_through_the_admin_leaves_the_name_nowhere(patient_with_history, staff_client, settings, now):
    """After export and erasure, the name is in no log entry, dashboard or table: pg_dump finds only the legal hold."""
    from django.contrib.admin.models import LogEntry
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    patient, _, _ = patient_with_history
    manager = staff_client(roles.CLINIC_MANAGER)
    base = f"/{settings.ADMIN_URL}clinic/patient/{patient.pk}/"
    manager.get(base + "export.json")  # logged under the patient's name, as it then was
    assert CANARIES["name"] in manager.get(f"/{settings.ADMIN_URL}").content.decode()  # "Recent actions"
    assert manager.post(base + "erase/").status_code == 302
    dashboard = manager.get(f"/{settings.ADMIN_URL}").content.decode()
    assert CANARIES["name"] not in dashboard and "Erased patient" in dashboard
    assert not LogEntry.objects.filter(object_repr__icontains="canary").exists()
    everything = pg_dump(connection)
    for canary in (*CANARIES.values(), NOTES, "Canary Namey"):
        assert canary not in everything, canary
    assert CLINICAL in everything  # the documented legal hold


def test_the_export_holds_the_patients_places_on_the_waiting_list_and_the_times_offered(
    patient_with_history, admin_user, consultation, dr_shah, now
):
    patient, _, _ = patient_with_history
    entry = WaitlistEntry.objects.create(
        patient=patient, consultation_type=consultation, weekdays="01", times_of_day="morning",
        latest_date=TUESDAY.replace(month=12, day=31), joined_at=now, given_name="Pat Waiting",
    )  # fmt: skip
    WaitlistOffer.objects.create(
        entry=entry, practitioner=dr_shah, starts_at=at(TUESDAY, 9), offered_at=now, expires_at=at(TUESDAY, 8)
    )
    data = export_patient(patient, user=admin_user)
    [place] = data["waiting_list"]
    assert place["consultation_type"] == consultation.name and place["days"] == "Monday, Tuesday"
    assert place["details_given_when_joining"]["name"] == "Pat Waiting"
    [offer] = place["offers"]
    assert offer["practitioner"] == dr_shah.name and offer["time"] == "2026-12-08T09:00:00+00:00"
    rows = list(csv.reader(io.StringIO(export_csv(data))))
    assert ["waiting_list", place["joined_at"], "offers 1 practitioner", dr_shah.name] in rows
