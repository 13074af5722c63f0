"""Phones at the desk: any way of typing a number finds the patient; a number typed in the admin is stored as E.164."""

import pytest

from clinic.models import Patient
from clinic.staff.patient_search import patients_matching
from tests.clinic_fixtures import TUESDAY, at, details
from tests.helpers import soup

pytestmark = pytest.mark.django_db

FIVE_FORMATS = ["07911 123456", "07911123456", "+44 7911 123456", "+447911123456", "0044 7911 123456"]


@pytest.fixture
def two_patients(book):
    ours = book(at(TUESDAY, 10))
    other = book(at(TUESDAY, 11), details=details(name="Other Person", email="o@example.org", phone="+447700900123"))
    return ours, other


@pytest.mark.parametrize("typed", FIVE_FORMATS)
def test_the_patients_list_finds_a_number_in_any_format(reception, settings, two_patients, typed):
    page = soup(reception.get(f"/{settings.ADMIN_URL}clinic/patient/", {"q": typed}))
    names = [cell.get_text(strip=True) for cell in page.select("#result_list tbody th")]
    assert names == ["Pat Example"]


@pytest.mark.parametrize("typed", FIVE_FORMATS)
def test_the_appointments_list_finds_a_number_in_any_format(reception, settings, two_patients, typed):
    ours, _ = two_patients
    response = reception.get(f"/{settings.ADMIN_URL}clinic/appointment/", {"q": typed})
    text = soup(response).select_one("#result_list").get_text()
    assert ours.reference in text
    assert two_patients[1].reference not in text


def test_the_lists_still_search_by_name_and_reference(reception, settings, two_patients):
    ours, other = two_patients
    text = soup(reception.get(f"/{settings.ADMIN_URL}clinic/appointment/", {"q": other.reference})).get_text()
    assert other.reference in text and ours.reference not in text
    page = soup(reception.get(f"/{settings.ADMIN_URL}clinic/patient/", {"q": "other person"}))
    assert [c.get_text(strip=True) for c in page.select("#result_list tbody th")] == ["Other Person"]


@pytest.mark.parametrize("typed", [*FIVE_FORMATS, "pat example", "PAT@example", "example pat"])
def test_patients_matching_finds_by_name_email_or_any_phone_format(two_patients, typed):
    assert list(patients_matching(typed).values_list("name", flat=True)) == ["Pat Example"]


def test_patients_matching_finds_nobody_for_nothing(two_patients):
    assert not patients_matching("   ").exists()
    assert not patients_matching("07000 000000").exists()


def _patient_form(phone):
    return {
        "name": "Walk In",
        "email": "walk.in@example.org",
        "phone": phone,
        "date_of_birth": "",
        "_save": "Save",
    }


def test_a_number_typed_in_the_admin_is_stored_as_e164(reception, settings, now):
    response = reception.post(f"/{settings.ADMIN_URL}clinic/patient/add/", _patient_form("0044 (0)7911 123-456"))
    assert response.status_code == 302
    assert Patient.objects.get(email="walk.in@example.org").phone == "+447911123456"


def test_a_number_nobody_could_call_is_a_clear_error(reception, settings, now):
    response = reception.post(f"/{settings.ADMIN_URL}clinic/patient/add/", _patient_form("12345"))
    assert response.status_code == 200
    assert "Please enter a phone number we can call" in response.content.decode()
    assert not Patient.objects.filter(email="walk.in@example.org").exists()
