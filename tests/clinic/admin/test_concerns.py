"""A worry at the desk: clinicians open and handle it; Reception sees only who is waiting; content editors nothing."""

import datetime

import pytest

from clinic.aftercare.services import record_treatment
from clinic.models import AftercareCheckIn
from clinic.staff import roles
from tests.clinic_fixtures import NOW, TUESDAY, at
from tests.helpers import soup
from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db

MESSAGE = "CANARY-worry-message-91c2"


@pytest.fixture
def booked(book):
    return book(at(TUESDAY, 10))


@pytest.fixture
def worry(booked, dr_shah):
    record = record_treatment(
        patient=booked.patient,
        treatment=TreatmentPage.objects.get(slug="laser"),
        practitioner=dr_shah,
        performed_at=NOW - datetime.timedelta(days=3),
        notes="CANARY-clinical-notes",
        now=NOW - datetime.timedelta(days=3),
    )
    return AftercareCheckIn.objects.create(
        record=record, feeling="worried", message=MESSAGE, created_at=NOW - datetime.timedelta(hours=1)
    )


def concern_url(settings, worry):
    return f"/{settings.ADMIN_URL}clinic/aftercarecheckin/{worry.pk}/change/"


def test_a_clinician_opens_the_concern_and_marks_it_handled_with_a_note(clinician, settings, worry):
    page = clinician.get(concern_url(settings, worry))
    assert page.status_code == 200
    assert MESSAGE in page.content.decode() and "Mark as handled" in page.content.decode()
    response = clinician.post(
        concern_url(settings, worry), {"handled_note": "Called back: healing as expected.", "_continue": "1"}
    )
    assert response.status_code == 302
    worry.refresh_from_db()
    assert (worry.handled_by, worry.handled_at, worry.handled_note) == (
        clinician.user,
        NOW,
        "Called back: healing as expected.",
    )
    after = clinician.get(concern_url(settings, worry)).content.decode()
    assert "Called back: healing as expected." in after and "Mark as handled" not in after


def test_a_handled_concern_cannot_be_handled_again(clinician, staff_client, settings, worry):
    clinician.post(concern_url(settings, worry), {"handled_note": "first", "_continue": "1"})
    other = staff_client(roles.CLINICIAN)
    other.post(concern_url(settings, worry), {"handled_note": "second", "_continue": "1"})
    worry.refresh_from_db()
    assert (worry.handled_by, worry.handled_note) == (clinician.user, "first")


def test_reception_sees_who_waits_for_a_call_back_and_nothing_clinical(reception, settings, worry, booked):
    response = reception.get(f"/{settings.ADMIN_URL}callbacks/")
    assert response.status_code == 200
    text = response.content.decode()
    assert booked.patient.name in text and booked.patient.phone in text
    for clinical in (MESSAGE, "CANARY-clinical-notes", "Laser", "laser"):
        assert clinical not in text
    # The alert's link takes the desk to the list, not to a bare 403.
    followed = reception.get(concern_url(settings, worry))
    assert followed.status_code == 302 and followed["Location"] == f"/{settings.ADMIN_URL}callbacks/"


def test_a_handled_concern_leaves_the_call_back_list(reception, settings, worry, booked):
    AftercareCheckIn.objects.filter(pk=worry.pk).update(handled_at=NOW)
    assert booked.patient.name not in reception.get(f"/{settings.ADMIN_URL}callbacks/").content.decode()


def test_a_content_editor_sees_no_concern_at_all(staff_client, settings, worry):
    editor = staff_client(roles.CONTENT_EDITOR)
    assert editor.get(f"/{settings.ADMIN_URL}callbacks/").status_code == 403
    assert editor.get(concern_url(settings, worry)).status_code == 403
    assert MESSAGE not in editor.get(f"/{settings.ADMIN_URL}").content.decode()


def test_the_agenda_flags_the_patients_next_appointment(reception, settings, worry, booked, book):
    later = book(at(TUESDAY + datetime.timedelta(days=1), 10))
    day = soup(reception.get(f"/{settings.ADMIN_URL}agenda/{TUESDAY.isoformat()}/"))
    flags = day.select(".agenda-concern")
    assert [f.get_text(strip=True) for f in flags] == ["Waiting for a clinical call-back"]
    assert booked.reference not in day.get_text()  # the flag says nothing clinical, and sits in the patient's cell
    next_day = soup(reception.get(f"/{settings.ADMIN_URL}agenda/{later.starts_at.date().isoformat()}/"))
    assert not next_day.select(".agenda-concern")  # only beside the next appointment


def test_no_flag_once_handled(reception, settings, worry):
    AftercareCheckIn.objects.filter(pk=worry.pk).update(handled_at=NOW)
    day = soup(reception.get(f"/{settings.ADMIN_URL}agenda/{TUESDAY.isoformat()}/"))
    assert not day.select(".agenda-concern")


def test_every_clinicians_dashboard_lists_open_concerns(clinician, staff_client, settings, worry, booked):
    for client in (clinician, staff_client(roles.CLINICIAN)):
        page = soup(client.get(f"/{settings.ADMIN_URL}"))
        links = [a["href"] for a in page.select(".open-concerns a")]
        assert links == [concern_url(settings, worry)]
        assert booked.patient.name in page.select_one(".open-concerns").get_text()


def test_receptions_dashboard_counts_call_backs_without_the_concern(reception, settings, worry):
    page = soup(reception.get(f"/{settings.ADMIN_URL}"))
    assert not page.select(".open-concerns")
    assert page.find("a", href=f"/{settings.ADMIN_URL}callbacks/")
    assert MESSAGE not in str(page)
