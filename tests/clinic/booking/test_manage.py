"""Manage-my-booking links: view, cancel and move, with tokens that leak nothing."""

import logging

import pytest

from clinic.lib import tokens
from clinic.models import Appointment, Outbox
from tests.clinic_fixtures import TUESDAY, at
from tests.helpers import soup

pytestmark = pytest.mark.django_db


def test_the_link_shows_the_appointment(client, booked):
    appointment, token = booked
    response = client.get(f"/manage/{token}/")
    assert response.status_code == 200
    assert appointment.reference in response.content.decode()
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"]


def test_D3_B5_link_scanners_fetching_the_page_change_nothing_and_cancel_needs_a_post(client, booked):
    """D3: GETs (mail scanners) never change state; the first POST cancels, the second finds nothing."""
    appointment, token = booked
    for _ in range(3):
        assert client.get(f"/manage/{token}/").status_code == 200
        assert client.get(f"/manage/{token}/cancel/").status_code == 200
        assert client.head(f"/manage/{token}/cancel/").status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    response = client.post(f"/manage/{token}/cancel/")
    assert response["Location"] == "/manage/done/cancelled/"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT
    pending = Outbox.objects.filter(status=Outbox.Status.PENDING)
    assert list(pending.values_list("kind", flat=True)) == ["booking_cancelled"]  # the rest withdrawn
    assert client.post(f"/manage/{token}/cancel/").status_code == 404
    assert appointment.reference in client.get("/manage/done/cancelled/").content.decode()


@pytest.mark.parametrize("mutation", ["unknown", "tampered", "expired", "wrong_place"])
def test_D2_every_bad_link_gets_the_same_404_and_changes_nothing(client, booked, mutation, time_machine):
    """D2: unknown, tampered, expired — no oracle, no state change."""
    appointment, token = booked
    url = f"/manage/{token}/cancel/"
    if mutation == "unknown":
        url = "/manage/" + "A" * 43 + "/cancel/"
    elif mutation == "tampered":
        url = f"/manage/{token[:-1]}{'B' if token[-1] != 'B' else 'C'}/cancel/"
    elif mutation == "expired":
        time_machine.move_to(at(TUESDAY, 10, 1))
    elif mutation == "wrong_place":
        url = f"/manage/{token}/cancel/../../{appointment.reference}/cancel/"
    response = client.post(url)
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_inside_the_cut_off_the_patient_is_asked_to_phone(client, booked, time_machine, settings):
    appointment, token = booked
    time_machine.move_to(at(TUESDAY, 9))
    response = client.post(f"/manage/{token}/cancel/")
    assert response.status_code == 409
    assert settings.CLINIC_PHONE in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_a_patient_moves_their_appointment(client, booked):
    appointment, token = booked
    page = soup(client.get(f"/manage/{token}/move/"))
    offered = [i["value"] for i in page.find_all("input", attrs={"name": "slot"})]
    assert at(TUESDAY, 14).isoformat() in offered
    response = client.post(f"/manage/{token}/move/confirm/", {"slot": at(TUESDAY, 14).isoformat()})
    assert response["Location"] == "/manage/done/moved/"
    appointment.refresh_from_db()
    assert appointment.starts_at == at(TUESDAY, 14)
    assert client.get(f"/manage/{token}/").status_code == 404  # the old link was replaced
    assert Outbox.objects.filter(kind="booking_rescheduled", status=Outbox.Status.PENDING).count() == 1


def test_moving_to_a_taken_time_offers_alternatives(client, booked, book, dr_shah):
    appointment, token = booked
    book(at(TUESDAY, 14), dr_shah)
    response = client.post(f"/manage/{token}/move/confirm/", {"slot": at(TUESDAY, 14).isoformat()})
    assert response.status_code == 409
    assert soup(response).find_all("input", attrs={"name": "slot"})
    appointment.refresh_from_db()
    assert appointment.starts_at == at(TUESDAY, 10)


def test_D4_the_raw_token_never_reaches_the_logs(client, booked, caplog):
    """D4: everything at DEBUG while the link is used."""
    appointment, token = booked
    caplog.set_level(logging.DEBUG)
    client.get(f"/manage/{token}/")
    client.get(f"/manage/{token}/cancel/")
    client.post(f"/manage/{token}/cancel/")
    client.post(f"/manage/{token}/cancel/")
    assert token not in caplog.text


def test_D5_another_patients_reference_cannot_be_reached_with_a_token(client, booked, book, dr_shah):
    """D5: the token alone decides which booking is shown."""
    appointment, token = booked
    other = book(at(TUESDAY, 15), dr_shah)
    page = client.get(f"/manage/{token}/", {"reference": other.reference}).content.decode()
    assert other.reference not in page
    assert appointment.reference in page


def test_D1_only_digests_are_stored(booked):
    """D1: the raw token is nowhere in the database (email bodies included); its digest is."""
    from io import StringIO

    from django.core.management import call_command

    _, token = booked
    dump = StringIO()
    call_command("dumpdata", "clinic", stdout=dump)
    assert token not in dump.getvalue()
    assert tokens.digest(token) in dump.getvalue()
