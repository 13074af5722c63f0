"""The audit trail: who changed what and when, on patients, appointments, records and content."""

import pytest

from clinic.models import Patient
from clinic.staff import roles
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup
from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db


def test_a_patient_edit_shows_who_changed_which_field(staff_client, settings, book, now):
    patient = book(at(TUESDAY, 10)).patient
    reception = staff_client(roles.RECEPTION)
    url = f"/{settings.ADMIN_URL}clinic/patient/{patient.pk}/"
    data = {"name": patient.name, "email": patient.email, "phone": "+447911000999", "date_of_birth": "1990-05-17"}
    assert reception.post(url + "change/", data).status_code == 302
    assert Patient.objects.get(pk=patient.pk).phone == "+447911000999"
    history = soup(reception.get(url + "history/")).get_text(" ")
    assert reception.user.username in history
    assert "+447911123456" in history and "+447911000999" in history  # old and new


def test_content_edits_are_in_the_history_of_the_page(staff_client, settings):
    editor = staff_client(roles.CONTENT_EDITOR)
    page = TreatmentPage.objects.get(slug="laser")
    page._history_user = editor.user
    page.title = "Laser ablation (CO2)"
    page.save()
    response = editor.get(f"/{settings.ADMIN_URL}treatments/treatmentpage/{page.pk}/history/")
    assert response.status_code == 200
    text = soup(response).get_text(" ")
    assert "Laser ablation (CO2)" in text and editor.user.username in text
    assert "Revert" not in text  # changes go through the forms, not a history revert
