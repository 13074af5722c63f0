"""Staff roles: each group sees exactly its areas of the admin; nobody else gets in."""

import pytest

from clinic.staff import roles
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup
from tests.staff_fixtures import make_staff, sign_in

pytestmark = pytest.mark.django_db

PAGES = {
    "dashboard": "",
    "appointments": "clinic/appointment/",
    "agenda": "agenda/",
    "appointments csv": "appointments.csv",
    "patients": "clinic/patient/",
    "practitioners": "clinic/practitioner/",
    "closures": "clinic/closure/",
    "treatment records": "clinic/treatmentrecord/",
    "record a treatment": "clinic/treatmentrecord/add/",
    "treatment pages": "treatments/treatmentpage/",
    "condition pages": "treatments/conditionpage/",
    "aftercare steps": "treatments/aftercarestep/",
    "clinical checklist": "clinical-checklist/",
    "outbox": "clinic/outbox/",
    "staff logins": "auth/user/",
    "call-backs waiting": "callbacks/",
    "aftercare check-ins": "clinic/aftercarecheckin/",
    "own two-factor sign-in": "account/two-factor/",
    "book for a patient": "desk/book/",
    "book for a patient: search": "desk/book/?q=example",
    "waiting list": "clinic/waitlistentry/",
    "add to waiting list": "clinic/waitlistentry/add/",
}
STAFF_AREAS = {
    "appointments",
    "agenda",
    "appointments csv",
    "patients",
    "practitioners",
    "closures",
    "outbox",
    "call-backs waiting",
    "own two-factor sign-in",
    "book for a patient",
    "book for a patient: search",
    "waiting list",
    "add to waiting list",
}
CONTENT = {"treatment pages", "condition pages", "aftercare steps"}
SEES = {
    roles.RECEPTION: {"dashboard"} | STAFF_AREAS,
    # Clinicians read the content and sign it off (the clinical checklist); editors draft it.
    roles.CLINICIAN: {
        "dashboard",
        "treatment records",
        "record a treatment",
        "clinical checklist",
        "aftercare check-ins",
    }
    | STAFF_AREAS
    | CONTENT,
    roles.CONTENT_EDITOR: {"dashboard", "own two-factor sign-in"} | CONTENT,
    roles.CLINIC_MANAGER: set(PAGES),
}


def url(settings, area):
    return "/" + settings.ADMIN_URL + {**PAGES, "book for a patient: new patient": "desk/book/new-patient/"}[area]


# Not "page": pytest-playwright owns that fixture name.
@pytest.mark.parametrize("role", list(SEES))
@pytest.mark.parametrize("area", list(PAGES))
def test_C8_each_role_sees_exactly_its_pages(staff_client, settings, role, area):
    response = staff_client(role).get(url(settings, area))
    expected = 200 if area in SEES[role] else 403
    assert response.status_code == expected, (role, area)


def test_C8_adding_a_patient_at_the_desk_answers_by_role(staff_client, settings):
    """The new-patient form (POST only) of the desk: staff areas may, content editors may not."""
    from clinic.models import Patient

    url = f"/{settings.ADMIN_URL}desk/book/new-patient/"
    for n, role in enumerate(SEES):
        data = {"name": "N", "email": f"n{n}@example.org", "phone": "07911 123456", "date_of_birth": "1975-03-04"}
        response = staff_client(role).post(url, data)
        assert response.status_code == (302 if "book for a patient" in SEES[role] else 403), role
    assert Patient.objects.count() == 3


@pytest.mark.parametrize("area", [*PAGES, "book for a patient: new patient"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, settings, area):
    response = client.get(url(settings, area))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/{settings.ADMIN_URL}login/")


def test_a_signed_in_user_who_is_not_staff_gets_no_access(client, settings, django_user_model):
    user = make_staff(django_user_model, "patient-user")
    user.is_staff = False
    user.save()
    sign_in(client, user)
    for area in ("dashboard", "appointments", "agenda", "patients"):
        response = client.get(url(settings, area))
        assert response.status_code == 302 and "/login/" in response["Location"], area


def test_the_dashboard_lists_only_the_areas_of_the_role(staff_client, settings):
    page = soup(staff_client(roles.CONTENT_EDITOR).get(url(settings, "dashboard")))
    links = {a["href"] for a in page.select("#content-main a")}
    assert f"/{settings.ADMIN_URL}treatments/treatmentpage/" in links
    assert not any("clinic/patient" in link or "clinic/appointment" in link for link in links)
    assert "Today's appointments" not in page.get_text()


@pytest.fixture
def appointment(book):
    return book(at(TUESDAY, 10), notes="CANARY-notes-7f3a")


@pytest.mark.parametrize(
    ("role", "sees_answers"), [(roles.RECEPTION, False), (roles.CLINICIAN, True), (roles.CLINIC_MANAGER, True)]
)
def test_C8_only_clinicians_see_questionnaire_answers_and_notes(
    staff_client, settings, appointment, role, sees_answers
):
    client = staff_client(role)
    body = client.get(f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/change/").content.decode()
    assert ("Pre-consultation answers" in body) is sees_answers
    assert ("Do you get cold sores?" in body) is sees_answers
    assert ("CANARY-notes-7f3a" in body) is sees_answers
    history = client.get(f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/history/").content.decode()
    assert "token_hash" not in history and "idempotency" not in history.lower()


def test_C8_notes_stay_out_of_the_history_for_reception(staff_client, settings, appointment):
    """A change to the notes shows in the audit trail, but not its text, to someone who may not read notes."""
    appointment.notes = "CANARY-changed-notes"
    appointment.save()
    reception = staff_client(roles.RECEPTION).get(f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/history/")
    clinician = staff_client(roles.CLINICIAN).get(f"/{settings.ADMIN_URL}clinic/appointment/{appointment.pk}/history/")
    assert reception.status_code == clinician.status_code == 200
    assert "CANARY-changed-notes" not in reception.content.decode()
    assert "CANARY-changed-notes" in clinician.content.decode()


def test_concerns_waiting_show_on_the_clinicians_dashboard_only(staff_client, settings):
    clinician = soup(staff_client(roles.CLINICIAN).get(url(settings, "dashboard"))).get_text()
    reception = soup(staff_client(roles.RECEPTION).get(url(settings, "dashboard"))).get_text()
    assert "Aftercare concerns waiting" in clinician
    assert "Aftercare concerns waiting" not in reception


def test_the_roles_are_created_after_migrate():
    from django.contrib.auth.models import Group

    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLE_PERMISSIONS)
    manager = Group.objects.get(name=roles.CLINIC_MANAGER)
    assert manager.permissions.filter(codename="delete_patient").exists()
    assert not Group.objects.get(name=roles.RECEPTION).permissions.filter(codename="view_questionnaire").exists()


def test_roles_follow_the_table_again_after_the_next_migrate():
    """A permission removed by hand comes back; a content editor holds every permission of the treatments app but
    the clinical sign-off."""
    from django.contrib.auth.models import Group, Permission
    from django.core.management import call_command

    reception = Group.objects.get(name=roles.RECEPTION)
    reception.permissions.remove(Permission.objects.get(codename="view_appointment"))
    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate still runs
    assert reception.permissions.filter(codename="view_appointment").exists()
    editor = set(
        Group.objects.get(name=roles.CONTENT_EDITOR).permissions.values_list("content_type__app_label", flat=True)
    )
    assert editor == {"treatments"}
    treatments = Permission.objects.filter(content_type__app_label="treatments").exclude(codename="sign_off_content")
    assert Group.objects.get(name=roles.CONTENT_EDITOR).permissions.count() == treatments.count()
    assert not Group.objects.get(name=roles.CONTENT_EDITOR).permissions.filter(codename="sign_off_content").exists()


def test_reception_and_the_clinic_manager_may_book_at_the_desk_and_override_the_online_rules():
    from django.contrib.auth.models import Group

    def holds(role, codename):
        return Group.objects.get(name=role).permissions.filter(codename=codename).exists()

    for role in (roles.RECEPTION, roles.CLINIC_MANAGER):
        assert holds(role, "override_booking_rules") and holds(role, "add_appointment"), role
    assert not holds(roles.CONTENT_EDITOR, "override_booking_rules")
