"""One rule for who reads what: every output of a patient's data hides what the change pages hide (J2, J3)."""

import json

import pytest

from clinic.aftercare import services as aftercare
from clinic.aftercare.services import record_treatment
from clinic.models import AftercareCheckIn, Appointment, Outbox
from clinic.staff import roles
from tests.clinic_fixtures import TUESDAY, at, details
from treatments.models import AftercareStep, TreatmentPage

pytestmark = pytest.mark.django_db

NOTES = "CANARY-j2-booking-notes"
NOTES_EDITED = "CANARY-j2-notes-edited"
CLINICAL = "CANARY-j2-clinical-notes"
WORRY = "CANARY-j2-worry-message"
QUESTION = "isotretinoin"  # a pre-consultation question: only its answers' page shows it
# What each role may read (clinic.field_access), from the roles' permissions.
READS = {
    roles.RECEPTION: set(),
    roles.CLINICIAN: {NOTES, NOTES_EDITED, CLINICAL, WORRY, QUESTION},
    roles.CONTENT_EDITOR: set(),
    roles.CLINIC_MANAGER: {NOTES, NOTES_EDITED, CLINICAL, WORRY, QUESTION},
}


@pytest.fixture
def patient_file(book, dr_shah, now):
    """A patient with booking notes (edited once, so the history holds them), answers, a record and a worry."""
    appointment = book(at(TUESDAY, 10), practitioner=dr_shah, details=details(name="Jo Canary"), notes=NOTES)
    appointment.notes = NOTES_EDITED
    appointment.save()
    laser = TreatmentPage.objects.get(slug="laser")
    step = laser.aftercare_steps.first() or AftercareStep.objects.create(
        treatment=laser, day_offset=0, send_time="18:00", title="Day 0", body="Rest."
    )
    record = record_treatment(
        patient=appointment.patient,
        treatment=laser,
        practitioner=dr_shah,
        performed_at=at(TUESDAY, 10),
        notes=CLINICAL,
        appointment=appointment,
        now=now,
    )
    link = aftercare.link_for_token(aftercare.new_link(record, step, now=now), now=now)
    check_in = aftercare.check_in(link=link, feeling=AftercareCheckIn.Feeling.WORRIED, message=WORRY, now=now)
    return appointment, record, check_in


def outputs(settings, appointment, record, check_in):
    """Every page or file that shows something of this patient, by name."""
    admin = f"/{settings.ADMIN_URL}"
    patient = appointment.patient
    pages = {
        "appointment change page": f"clinic/appointment/{appointment.pk}/change/",
        "appointment history": f"clinic/appointment/{appointment.pk}/history/",
        "appointment list": "clinic/appointment/",
        "patient change page": f"clinic/patient/{patient.pk}/change/",
        "patient history": f"clinic/patient/{patient.pk}/history/",
        "export json": f"clinic/patient/{patient.pk}/export.json",
        "export csv": f"clinic/patient/{patient.pk}/export.csv",
        "treatment record": f"clinic/treatmentrecord/{record.pk}/change/",
        "treatment record history": f"clinic/treatmentrecord/{record.pk}/history/",
        "check-in list": "clinic/aftercarecheckin/",
        "check-in page": f"clinic/aftercarecheckin/{check_in.pk}/change/",
        "dashboard": "",
        "agenda": f"agenda/{TUESDAY.isoformat()}/",
        "appointments csv": f"appointments.csv?first_day={TUESDAY}&last_day={TUESDAY}",
    }
    for email in Outbox.objects.filter(recipient__iexact=patient.email):
        pages[f"email preview #{email.pk}"] = f"clinic/outbox/{email.pk}/preview/"
        pages[f"email html #{email.pk}"] = f"clinic/outbox/{email.pk}/preview/html/"
    return {name: admin + path for name, path in pages.items()}


@pytest.mark.parametrize("role", list(READS))
def test_J2_every_output_shows_a_role_only_the_fields_its_change_pages_show(patient_file, staff_client, settings, role):
    appointment, record, check_in = patient_file
    client = staff_client(role)
    seen = {}
    for name, url in outputs(settings, appointment, record, check_in).items():
        # Followed: Reception's way into a worry's page leads to the call-back list, which is checked too.
        response = client.get(url, follow=True)
        assert response.status_code in (200, 403), (name, response.status_code)
        if response.status_code == 200:
            seen[name] = response.content.decode()
    for name, body in seen.items():
        for canary in {NOTES, NOTES_EDITED, CLINICAL, WORRY} - READS[role]:
            assert canary not in body, (role, name, canary)
    if READS[role]:
        # The rule hides by role, not for everyone: those allowed find each value where it belongs.
        assert {NOTES_EDITED, CLINICAL, WORRY} <= {c for c in READS[role] if c in seen["export json"]}
        assert QUESTION in seen["appointment change page"] and QUESTION in seen["export json"]
        assert NOTES in seen["appointment history"]
    elif "export json" in seen:
        export = json.loads(seen["export json"])
        assert QUESTION not in seen["export json"] and QUESTION not in seen["appointment change page"]
        assert {"booking notes", "clinical notes", "pre-consultation answers"} <= set(export["left_out"])


@pytest.mark.parametrize("role", [roles.RECEPTION, roles.CLINICIAN])
@pytest.mark.parametrize(
    "query",
    [
        "notes__icontains=CANARY",
        "notes__regex=^C",
        "notes__startswith=C",
        "patient__name__icontains=Jo",
        "questionnaire__isotretinoin=no",
        "status__regex=book",
        "starts_at__year=99999",
    ],
)
def test_J3_a_list_refuses_any_filter_it_does_not_offer(patient_file, staff_client, settings, role, query):
    """400 for a right guess and a wrong one alike: no row count can depend on a field the page does not offer."""
    response = staff_client(role).get(f"/{settings.ADMIN_URL}clinic/appointment/?{query}")
    assert response.status_code == 400


def test_J3_the_filters_a_list_offers_still_work(patient_file, staff_client, settings):
    appointment, _, _ = patient_file
    client = staff_client(roles.RECEPTION)
    base = f"/{settings.ADMIN_URL}clinic/appointment/"
    for query in (
        "status__exact=booked",
        f"practitioner__id__exact={appointment.practitioner_id}",
        "when=today",
        "details_to_confirm__exact=0",
        "when=all",
        "when=week",
    ):
        response = client.get(f"{base}?{query}")
        assert response.status_code == 200, query
    assert Appointment.objects.filter(status="booked").count() == 1
