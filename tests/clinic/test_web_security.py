"""Web-layer rows of the reliability matrix (RELIABILITY.md A2, A3, A6, B1–B5, C5, C7, E2, E4).

Each test starts with its row id. Everything runs against the real stack of the tests: the
PostgreSQL the suite starts, the Django test client, the booking views and the staff admin
with 2FA switched on.
"""

import datetime
import functools
import io
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import path
from django.utils.html import escape
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from clinic.models import Appointment, Closure, Outbox, Patient
from clinic.staff import roles
from tests.clinic_fixtures import LONDON, NOW, TUESDAY, at
from tests.clinic_fixtures import details as patient_details
from tests.helpers import manage_token
from tests.staff_fixtures import make_staff, sign_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-enough-password"  # what tests.staff_fixtures.make_staff gives every staff user
ANSWERS = {
    "cold_sores": "no",
    "isotretinoin": "no",
    "pregnant": "no",
    "keloid_scars": "no",
    "blood_thinners": "no",
    "anaesthetic_allergy": "no",
}
DETAILS = {
    "name": "Pat Example",
    "email": "pat@example.org",
    "phone": "07911 123456",
    "date_of_birth": "1990-05-17",
    "notes": "Three milia under my left eye.",
    "privacy_consent": "on",
}
# What a browser sends with a form POST on the HTTPS site (Django also checks Referer over HTTPS).
BROWSER = {"secure": True, "HTTP_ORIGIN": "https://testserver", "HTTP_REFERER": "https://testserver/"}


def admin_url(rest=""):
    return f"/{django_settings.ADMIN_URL}{rest}"


def soup5(content):
    return BeautifulSoup(content, "html5lib")


def csrf_token(response):
    field = soup5(response.content).find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert field is not None, "the page has no CSRF token"
    return field["value"]


def enforcing(client):
    return getattr(client.handler, "enforce_csrf_checks", False)


def post_form(client, url, data, *, page=None, **extra):
    """POST as a browser would: with the CSRF token from the form's page when the client checks CSRF."""
    if enforcing(client):
        page = page or client.get(url, **extra)
        data = {**data, "csrfmiddlewaretoken": csrf_token(page)}
    return client.post(url, data, **extra)


def walk_to_review(client, *, slot=None, details=None, **extra):
    """Booking steps 1–4 through the views; returns the review page."""
    slot = slot or at(TUESDAY, 10)
    choose = client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"}, **extra)
    assert choose.status_code == 302, choose.content
    assert post_form(client, "/book/times/", {"slot": slot.isoformat()}, **extra)["Location"] == "/book/details/"
    response = post_form(client, "/book/details/", {**DETAILS, **(details or {})}, **extra)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert post_form(client, "/book/questions/", ANSWERS, **extra)["Location"] == "/book/review/"
    return client.get("/book/review/", **extra)


def confirm(client, review, *, with_csrf=True, **extra):
    page = soup5(review.content)
    data = {"idempotency_key": page.find("input", attrs={"name": "idempotency_key"})["value"]}
    if with_csrf and enforcing(client):
        data["csrfmiddlewaretoken"] = csrf_token(review)
    return client.post("/book/review/", data, **extra)


def otp_code(device):
    device.refresh_from_db()
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(device.digits)


def staff_with_authenticator(django_user_model, username, role=roles.RECEPTION):
    user = make_staff(django_user_model, username, role=role)
    user.device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    return user


def signed_in(client):
    return client.get(admin_url()).status_code == 200


def is_internal(location):
    """A redirect target that stays on this site (also as browsers read backslashes)."""
    normalised = location.replace("\\", "/").strip()
    parsed = urlparse(normalised)
    return normalised.startswith("/") and not normalised.startswith("//") and not parsed.scheme and not parsed.netloc


# --- A2: security headers -----------------------------------------------------------------------


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, *, token_page=False, private=False):
    hsts = response["Strict-Transport-Security"]
    assert int(re.match(r"max-age=(\d+)", hsts).group(1)) >= 31536000, hsts
    assert "includeSubDomains" in hsts
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    csp = csp_directives(response["Content-Security-Policy"])
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        assert csp.get(directive) == ["'none'"], (directive, response["Content-Security-Policy"])
    if token_page:
        # Deliberately not no-referrer (clinic/middleware.py): under no-referrer browsers send
        # "Origin: null" with the page's form POSTs, which the CSRF check refuses. strict-origin
        # still never sends the path, so the token cannot leak through Referer.
        assert response["Referrer-Policy"] == "strict-origin"
    else:
        assert response["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"].strip()
    if private:
        assert "no-store" in response["Cache-Control"]


@pytest.fixture
def booked(book):
    """A booked appointment (through the domain function) and the raw token from its confirmation email."""
    appointment = book(at(TUESDAY, 10))
    return appointment, manage_token(appointment)


@pytest.mark.parametrize(
    "response_class", ["home", "booking", "admin login", "staff dashboard", "not found", "token page", "unknown token"]
)
def test_A2_security_headers_on_every_response_class(client, booked, staff_client, response_class):
    """A2: HSTS, nosniff, DENY, CSP, Referrer-Policy, COOP, Permissions-Policy and no-store where private."""
    appointment, token = booked
    cases = {
        "home": (client, "/", 200, False, False),
        "booking": (client, "/book/", 200, False, True),
        "admin login": (client, admin_url("login/"), 200, False, True),
        "staff dashboard": (staff_client(roles.RECEPTION), admin_url(), 200, False, True),
        "not found": (client, "/no-such-page/", 404, False, False),
        "token page": (client, f"/manage/{token}/", 200, True, True),
        "unknown token": (client, "/manage/" + "A" * 43 + "/", 404, True, True),
    }
    who, url, status, token_page, private = cases[response_class]
    response = who.get(url, secure=True)
    assert response.status_code == status
    assert_security_headers(response, token_page=token_page, private=private)


def boom(request):
    raise RuntimeError("CANARY-forced-500")


urlpatterns = [path("boom/", boom), path("book/boom/", boom)]
handler500 = "clinic.views.server_error"


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "private"), [("/boom/", False), ("/book/boom/", True)])
def test_A2_security_headers_on_a_forced_server_error(url, private):
    """A2: a view that raises still answers with every security header (and no-store on a patient path)."""
    response = Client(raise_request_exception=False).get(url, secure=True)
    assert response.status_code == 500
    assert "CANARY" not in response.content.decode()
    assert_security_headers(response, private=private)


# --- A3: cookie flags ----------------------------------------------------------------------------


def assert_cookie_flags(morsel, *, http_only):
    assert morsel.key.startswith("__Host-"), morsel.key
    assert morsel["secure"] is True, morsel.OutputString()
    assert morsel["path"] == "/", morsel.OutputString()
    assert morsel["domain"] == "", morsel.OutputString()
    assert morsel["samesite"] in {"Lax", "Strict"}, morsel.OutputString()
    if http_only:
        assert morsel["httponly"] is True, morsel.OutputString()


def test_A3_session_and_csrf_cookies_are_secure_host_only_and_samesite(
    settings, django_user_model, now, clinic_schedule
):
    """A3: every Set-Cookie of the session and CSRF cookies, after a real staff login and patient form GETs."""
    set_cookies = []

    def keep(response):
        set_cookies.extend(response.cookies.values())
        return response

    staff = staff_with_authenticator(django_user_model, "cookie-check")
    desk = Client()
    keep(desk.get(admin_url("login/"), secure=True))
    login = keep(
        desk.post(
            admin_url("login/"),
            {"username": staff.username, "password": PASSWORD, "otp_token": otp_code(staff.device)},
            secure=True,
        )
    )
    assert login.status_code == 302 and signed_in(desk)
    assert keep(desk.get(admin_url("clinic/closure/add/"), secure=True)).status_code == 200
    patient = Client()
    chosen = keep(
        patient.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"}, secure=True)
    )
    assert chosen.status_code == 302
    keep(patient.get("/book/times/", secure=True))
    assert keep(patient.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()}, secure=True)).status_code == 302
    assert keep(patient.get("/book/details/", secure=True)).status_code == 200

    names = Counter(morsel.key for morsel in set_cookies)
    assert names[settings.SESSION_COOKIE_NAME] >= 2 and names[settings.CSRF_COOKIE_NAME] >= 2, names
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid" and settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    for morsel in set_cookies:
        if morsel.key == settings.SESSION_COOKIE_NAME:
            assert_cookie_flags(morsel, http_only=True)
        elif morsel.key == settings.CSRF_COOKIE_NAME:
            assert_cookie_flags(morsel, http_only=False)
    assert set(names) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}, names


# --- B1: CSRF ----------------------------------------------------------------------------------------


def state_of_the_books():
    return (
        sorted(Appointment.objects.values_list("pk", "status", "starts_at", "manage_links__token_hash")),
        sorted(Outbox.objects.values_list("pk", "kind", "status")),
        Patient.objects.count(),
    )


def test_B1_booking_confirm_needs_the_csrf_token(now, clinic_schedule):
    """B1: the final booking POST without a token is 403 and stores nothing; with it, one booking."""
    browser = Client(enforce_csrf_checks=True)
    review = walk_to_review(browser, **BROWSER)
    before = state_of_the_books()
    assert confirm(browser, review, with_csrf=False, **BROWSER).status_code == 403
    assert state_of_the_books() == before
    assert Appointment.objects.count() == Outbox.objects.count() == 0
    assert confirm(browser, review, **BROWSER)["Location"] == "/book/confirmed/"
    assert Appointment.objects.count() == 1
    assert Outbox.objects.filter(kind="booking_confirmed").count() == 1


def test_B1_manage_link_cancel_needs_the_csrf_token(booked):
    """B1: cancelling from the manage link without a token is 403 and changes nothing; with it, cancelled."""
    appointment, token = booked
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/manage/{token}/cancel/", secure=True)
    before = state_of_the_books()
    assert browser.post(f"/manage/{token}/cancel/", {}, **BROWSER).status_code == 403
    assert state_of_the_books() == before
    # The Referer a browser sends under the token pages' strict-origin policy passes the check.
    response = browser.post(f"/manage/{token}/cancel/", {"csrfmiddlewaretoken": csrf_token(page)}, **BROWSER)
    assert response["Location"] == "/manage/done/cancelled/"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_PATIENT


def test_B1_admin_login_needs_the_csrf_token(django_user_model):
    """B1: the admin login without a token is 403 and signs nobody in; with it, signed in."""
    staff = staff_with_authenticator(django_user_model, "csrf-login")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(admin_url("login/"), secure=True)
    data = {"username": staff.username, "password": PASSWORD, "otp_token": otp_code(staff.device)}
    assert browser.post(admin_url("login/"), data, **BROWSER).status_code == 403
    assert not signed_in(browser)
    response = browser.post(admin_url("login/"), {**data, "csrfmiddlewaretoken": csrf_token(page)}, **BROWSER)
    assert response.status_code == 302
    assert signed_in(browser)


def test_B1_admin_action_needs_the_csrf_token(booked, django_user_model):
    """B1: a signed-in receptionist's "cancel and tell the patient" without a token is 403 and changes nothing."""
    appointment, _ = booked
    browser = sign_in(
        Client(enforce_csrf_checks=True), make_staff(django_user_model, "csrf-action", role=roles.RECEPTION)
    )
    changelist = admin_url("clinic/appointment/")
    page = browser.get(changelist, secure=True)
    assert page.status_code == 200
    data = {"action": "cancel_with_notice", "_selected_action": [appointment.pk], "confirm": "yes", "reason": ""}
    before = state_of_the_books()
    assert browser.post(changelist, data, **BROWSER).status_code == 403
    assert state_of_the_books() == before
    response = browser.post(changelist, {**data, "csrfmiddlewaretoken": csrf_token(page)}, **BROWSER)
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED_BY_CLINIC
    assert Outbox.objects.filter(kind="booking_cancelled").count() == 1


# --- B2: stored XSS ------------------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "x onmouseover=alert(1) y=",
    "' onfocus='alert(1)' autofocus='",
    "</textarea><svg onload=alert(1)>",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "poster"}


@functools.lru_cache(maxsize=32)
def parsed(html):
    """(active content, shown values) of a page, parsed once with html5lib, the HTML5 algorithm browsers use."""
    doc = soup5(html)
    active = Counter()
    for script in doc.find_all("script"):
        body = "" if script.get("src") else script.get_text()
        active[("script", script.get("src"), script.get("type"), body)] += 1
    shown = [doc.get_text()]
    for tag in doc.find_all(True):
        for attribute, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else value
            shown.append(value)
            if attribute.lower().startswith("on"):
                active[("handler", tag.name, attribute, value)] += 1
            elif attribute.lower() in URL_ATTRIBUTES and re.sub(r"\s", "", value).lower().startswith("javascript:"):
                active[("javascript url", tag.name, attribute, value)] += 1
    return active, "\n".join(shown)


def active_content(html):
    """Scripts, on* handlers and javascript: URLs in a page, as a browser's parser reads it."""
    return parsed(html)[0]


def shown_values(html):
    """Text and attribute values of a page after parsing: what a reader (or a form field) sees."""
    return parsed(html)[1]


def assert_inert(html, control_html, payloads, *, shown=True, where=""):
    """No script, handler or javascript: URL beyond the template's own; each payload shown as text, escaped."""
    added = active_content(html) - active_content(control_html)
    assert not added, (where, added)
    for payload in payloads:
        if escape(payload) != payload:
            assert payload not in html, (where, payload)
        if shown:
            assert payload in shown_values(html), (where, payload)


@pytest.fixture
def clinician(staff_client):
    return staff_client(roles.CLINICIAN)


def xss_pages(client, clinician, email):
    """The pages and emails of one booking (by the patient's email) that may show the patient's name or notes."""
    appointment = Appointment.objects.select_related("patient").get(patient__email=email)
    pages = {
        "confirmation": client.get("/book/confirmed/"),
        "manage page": Client().get(f"/manage/{manage_token(appointment)}/"),
        "admin search": clinician.get(admin_url("clinic/appointment/"), {"q": appointment.patient.name}),
        "admin change form": clinician.get(admin_url(f"clinic/appointment/{appointment.pk}/change/")),
        "patient change page": clinician.get(admin_url(f"clinic/patient/{appointment.patient_id}/change/")),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
    html = {where: response.content.decode() for where, response in pages.items()}
    for email_row in Outbox.objects.filter(recipient=email).order_by("kind"):
        html[f"email {email_row.kind}"] = email_row.body_html
    assert {"email booking_confirmed", "email booking_reminder"} <= set(html)
    return html


def changelists(clinician):
    pages = {
        "appointment changelist": clinician.get(admin_url("clinic/appointment/")),
        "patient changelist": clinician.get(admin_url("clinic/patient/")),
    }
    for where, response in pages.items():
        assert response.status_code == 200, where
    return {where: response.content.decode() for where, response in pages.items()}


# Where the name (and the notes) must show: proves the payload reached the page, and escaped.
SHOWS_NAME = {"review", "admin search", "admin change form", "patient change page", "email booking_confirmed"}
SHOWS_NOTES = {"review", "admin change form"}


# Two bookings carry all six payloads in their names; the name starts with the payload that needs to come first.
XSS_NAMES = [
    "javascript:alert(1) " + XSS_PAYLOADS[1] + XSS_PAYLOADS[0],
    XSS_PAYLOADS[3] + XSS_PAYLOADS[4] + XSS_PAYLOADS[5],
]


def test_B2_stored_xss_in_name_and_notes_is_escaped_everywhere(now, clinic_schedule, clinician):
    """B2: payloads booked as name and notes are inert, escaped text on patient, staff and email pages."""
    control_client = Client()
    control_review = walk_to_review(control_client, slot=at(TUESDAY + datetime.timedelta(days=1), 10))
    assert confirm(control_client, control_review)["Location"] == "/book/confirmed/"
    control = {"review": control_review.content.decode(), **xss_pages(control_client, clinician, DETAILS["email"])}
    control_lists = changelists(clinician)
    notes = "\n".join(XSS_PAYLOADS)

    for n, name in enumerate(XSS_NAMES):
        assert len(name) <= 120
        email = f"eve{n}@example.org"
        attacker = Client()
        details = {"name": name, "notes": notes, "email": email}
        # Thursday: far enough ahead for a reminder (48 hours before), whose email is checked too.
        review = walk_to_review(attacker, slot=at(TUESDAY + datetime.timedelta(days=2), 10 + n), details=details)
        assert confirm(attacker, review)["Location"] == "/book/confirmed/"
        appointment = Appointment.objects.select_related("patient").get(patient__email=email)
        assert appointment.patient.name == name and appointment.notes == notes
        pages = {"review": review.content.decode(), **xss_pages(attacker, clinician, email)}
        for where, html in pages.items():
            assert_inert(html, control[where], [name], shown=where in SHOWS_NAME, where=where)
        for where in SHOWS_NOTES:
            assert_inert(pages[where], control[where], XSS_PAYLOADS, where=where)

    for where, html in changelists(clinician).items():
        assert_inert(html, control_lists[where], XSS_NAMES, where=where)


NAME_PIECES = st.one_of(
    st.sampled_from(["<", ">", '"', "'", "&", "&amp;", "<script>", "=", "/", "`", " on", "&#x27;", "<!--"]),
    st.text(alphabet=st.characters(categories=["L", "N"]), max_size=6),
)


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    special=st.sampled_from(["<", ">", '"', "'", "&"]),
    pieces=st.lists(NAME_PIECES, max_size=8),
)
def test_B2_any_name_with_html_characters_is_inert_in_the_admin_and_email(book, clinician, special, pieces):
    """B2: hypothesis names holding <>"'& come back as the same text, never as markup."""
    name = ("Pat" + special + "".join(pieces)).strip()[:120]
    # Free the slot a previous example booked.
    Outbox.objects.all().delete()
    Appointment.objects.all().delete()
    Patient.objects.all().delete()
    appointment = book(at(TUESDAY, 10), details=patient_details(name=name, email="fuzz@example.org"))
    outputs = {
        "admin change form": clinician.get(admin_url(f"clinic/appointment/{appointment.pk}/change/")),
        "patient change page": clinician.get(admin_url(f"clinic/patient/{appointment.patient_id}/change/")),
    }
    outputs = {where: response.content.decode() for where, response in outputs.items()}
    outputs["email"] = Outbox.objects.get(kind="booking_confirmed").body_html
    for where, html in outputs.items():
        assert not [k for k in active_content(html) if k[0] != "script" or k[1] is None], (where, name)
        assert name in shown_values(html), (where, name)
        assert escape(name) in html, (where, name)
        if "<" in name:
            assert name not in html, (where, name)


# --- B3: header injection, the form side ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"), [("name", "Eve\r\nBcc: x@evil.test"), ("email", "a@b.test\nBcc: x@evil.test")]
)
def test_B3_header_injection_in_the_details_step_is_a_form_error_and_stores_nothing(
    client, now, clinic_schedule, field, value
):
    """B3: CR/LF smuggling a Bcc header is refused by the form; nothing is kept or stored."""
    client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
    client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    response = client.post("/book/details/", {**DETAILS, field: value})
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert field in response.context["form"].errors
    assert not client.session.get("booking", {}).get("details")
    assert client.get("/book/questions/")["Location"] == "/book/details/"
    assert Patient.objects.count() == Appointment.objects.count() == Outbox.objects.count() == 0


# --- B4: open redirect ------------------------------------------------------------------------------------

EVIL_NEXT = ["https://evil.test/", "//evil.test/", "/\\evil.test/", "https:evil.test", "\\\\evil.test"]


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_B4_login_never_redirects_off_site(django_user_model, evil):
    """B4: ?next= pointing off site is ignored after a successful 2FA login; the redirect stays internal."""
    staff = staff_with_authenticator(django_user_model, "redirect-check")
    client = Client()
    url = admin_url("login/") + "?" + "next=" + evil
    data = {"username": staff.username, "password": PASSWORD, "otp_token": otp_code(staff.device), "next": evil}
    response = client.post(url, data, secure=True)
    assert response.status_code == 302
    assert is_internal(response["Location"]), response["Location"]
    assert "evil.test" not in response["Location"]
    # Already signed in: the login page sends staff on, still never off site.
    again = client.get(url, secure=True)
    assert again.status_code == 302 and is_internal(again["Location"]), again["Location"]
    # Signing out with ?next= off site does not bounce off site either.
    out = client.post(admin_url("logout/") + "?next=" + evil, {"next": evil}, secure=True)
    assert out.status_code == 200 or is_internal(out["Location"])


def test_B4_login_falls_back_to_a_working_staff_page_when_next_is_refused(django_user_model):
    """B4: with an off-site ?next= the login lands on a real staff page, not a dead end."""
    staff = staff_with_authenticator(django_user_model, "redirect-default")
    client = Client()
    data = {"username": staff.username, "password": PASSWORD, "otp_token": otp_code(staff.device)}
    response = client.post(admin_url("login/") + "?next=https://evil.test/", data, secure=True)
    assert response.status_code == 302
    assert client.get(response["Location"], secure=True).status_code == 200, response["Location"]


@pytest.mark.parametrize("evil", EVIL_NEXT)
def test_B4_token_pages_never_redirect_off_site(booked, evil):
    """B4: ?next= on manage-link pages is ignored; cancel and move land on token-free internal pages."""
    appointment, token = booked
    client = Client()
    page = client.get(f"/manage/{token}/", {"next": evil})
    assert page.status_code == 200
    assert "evil.test" not in page.content.decode()
    moved = client.post(
        f"/manage/{token}/move/confirm/?next={evil}", {"slot": at(TUESDAY, 14).isoformat(), "next": evil}
    )
    assert moved["Location"] == "/manage/done/moved/"
    new_token = manage_token(appointment)
    cancelled = client.post(f"/manage/{new_token}/cancel/?next={evil}", {"next": evil})
    assert cancelled["Location"] == "/manage/done/cancelled/"


# --- B5: no state change on GET, HEAD or OPTIONS ---------------------------------------------------------


def snapshot():
    return (
        sorted(
            Appointment.objects.values_list("pk", "status", "starts_at", "practitioner_id", "manage_links__token_hash")
        ),
        sorted(Outbox.objects.values_list("pk", "kind", "status")),
        sorted(Closure.objects.values_list("pk", "first_day")),
        sorted(Patient.objects.values_list("pk", "name", "email", "erased_at")),
    )


def is_confirmation_form(response):
    return any((form.get("method") or "").lower() == "post" for form in soup5(response.content).find_all("form"))


def test_B5_safe_methods_on_patient_and_admin_actions_change_nothing(booked, staff_client, clinic_schedule):
    """B5: GET/HEAD/OPTIONS to cancel, move and admin delete/erase/action URLs: 405, 403 or a confirmation form."""
    appointment, token = booked
    closure = Closure.objects.create(first_day=datetime.date(2027, 1, 4), reason="Training")
    patient_client = Client()
    manager = staff_client(roles.CLINIC_MANAGER)
    slot = {"slot": at(TUESDAY, 14).isoformat()}
    targets = [
        (patient_client, f"/manage/{token}/cancel/", {}),
        (patient_client, f"/manage/{token}/move/", slot),
        (patient_client, f"/manage/{token}/move/confirm/", slot),
        (manager, admin_url(f"clinic/closure/{closure.pk}/delete/"), {"post": "yes"}),
        (manager, admin_url(f"clinic/appointment/{appointment.pk}/delete/"), {"post": "yes"}),
        (manager, admin_url(f"clinic/patient/{appointment.patient_id}/erase/"), {}),
        (manager, admin_url(f"clinic/appointment/{appointment.pk}/move/"), {"day": "2026-12-08", "time": "14:00"}),
        (
            manager,
            admin_url("clinic/appointment/"),
            {"action": "cancel_with_notice", "_selected_action": appointment.pk, "confirm": "yes"},
        ),
    ]
    before = snapshot()
    for client, url, query in targets:
        for method in ("get", "head", "options"):
            response = getattr(client, method)(url, query)
            assert response.status_code in {200, 302, 400, 403, 405}, (method, url, response.status_code)
            if response.status_code == 200 and method == "get":
                assert is_confirmation_form(response), (method, url)
            assert snapshot() == before, (method, url)


# --- C5: logout and password change ------------------------------------------------------------------------


def test_C5_a_session_cookie_replayed_after_logout_is_sent_to_login(settings, staff_client):
    """C5: logging out ends the session on the server; the old cookie opens nothing."""
    desk = staff_client(roles.RECEPTION)
    old_cookie = desk.cookies[settings.SESSION_COOKIE_NAME].value
    assert signed_in(desk)
    assert desk.get(admin_url("logout/")).status_code == 405  # logging out is a POST
    assert signed_in(desk)
    assert desk.post(admin_url("logout/")).status_code in {200, 302}
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    for url in (admin_url(), admin_url("clinic/appointment/")):
        response = replay.get(url)
        assert response.status_code == 302 and response["Location"].startswith(admin_url("login/")), url


def test_C5_changing_the_password_in_one_session_signs_out_the_others(django_user_model):
    """C5: a password change in session A keeps A signed in and invalidates session B."""
    user = make_staff(django_user_model, "two-browsers", role=roles.RECEPTION)
    first, second = sign_in(Client(), user), sign_in(Client(), user)
    assert signed_in(first) and signed_in(second)
    new = "a-brand-new-passphrase-2026"
    response = first.post(
        admin_url("password_change/"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302, response.content
    assert signed_in(first)
    response = second.get(admin_url())
    assert response.status_code == 302 and response["Location"].startswith(admin_url("login/"))


# --- C7: password storage and policy -------------------------------------------------------------------------


@pytest.mark.argon2
def test_C7_passwords_are_stored_as_argon2_hashes(django_user_model):
    """C7: the stored hash is argon2 (not the raw or a weak hash) and still verifies."""
    user = django_user_model.objects.create_user("hash-check", password="tidal-quince-ferry-8")
    stored = django_user_model.objects.values_list("password", flat=True).get(pk=user.pk)
    assert stored.startswith("argon2$argon2id$"), stored[:20]
    assert "tidal-quince-ferry-8" not in stored
    assert django_user_model.objects.get(pk=user.pk).check_password("tidal-quince-ferry-8")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("password1234", "password_too_common"),
        ("Xk9#mQ2$vL7", "password_too_short"),  # 11 characters
        ("zq7", "password_too_short"),
        ("839201746152", "password_entirely_numeric"),
    ],
)
def test_C7_common_short_and_numeric_passwords_are_rejected(django_user_model, password, code):
    """C7: the validators refuse common, short (<12) and all-digit passwords; a good one passes."""
    user = django_user_model(username="policy-check")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert code in {error.code for error in refused.value.error_list}
    validate_password("tidal-quince-ferry-8", user)


def test_C7_the_admin_password_change_applies_the_policy(django_user_model):
    """C7: a staff member cannot change to password1234 through the admin; the old password stays."""
    user = make_staff(django_user_model, "weak-choice", role=roles.RECEPTION)
    client = sign_in(Client(), user)
    data = {"old_password": PASSWORD, "new_password1": "password1234", "new_password2": "password1234"}
    response = client.post(admin_url("password_change/"), data)
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- E2: dates of birth and DST slot times ---------------------------------------------------------------------

TODAY = NOW.date()
LOWEST_VALID_YEAR = TODAY.year - 119  # comfortably inside the 120-year limit
HIGHEST_TOO_OLD_YEAR = TODAY.year - 121


def dob_expectation(text):
    """True if the details form must accept this date of birth."""
    try:
        born = datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return born.year >= LOWEST_VALID_YEAR and born <= TODAY


DATES_OF_BIRTH = st.one_of(
    st.dates(min_value=TODAY + datetime.timedelta(days=1)).map(datetime.date.isoformat),  # future
    st.dates(max_value=datetime.date(HIGHEST_TOO_OLD_YEAR, 12, 31)).map(datetime.date.isoformat),  # > 120 years
    st.dates(min_value=datetime.date(LOWEST_VALID_YEAR, 1, 1), max_value=TODAY).map(datetime.date.isoformat),
    st.integers(1, 9999).map(lambda y: f"{y:04d}-02-29"),  # leap or not, past, future or too old
)


@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dob=DATES_OF_BIRTH)
@example(dob=(TODAY + datetime.timedelta(days=1)).isoformat())
@example(dob=TODAY.isoformat())
@example(dob="2000-02-29")
@example(dob="1900-02-29")
@example(dob="2023-02-29")
@example(dob="0001-01-01")
@example(dob="9999-12-31")
def test_E2_any_date_of_birth_gets_a_clean_answer(client, now, clinic_schedule, dob):
    """E2: future, >120-year-old and Feb 29 dates of birth: a form error or accepted, never a 500."""
    if not client.session.get("booking", {}).get("slot"):  # the client lives across examples
        client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
        client.post("/book/times/", {"slot": at(TUESDAY, 10).isoformat()})
    response = client.post("/book/details/", {**DETAILS, "date_of_birth": dob})
    if dob_expectation(dob):
        assert response.status_code == 302, (dob, response.context and response.context["form"].errors)
        assert client.session["booking"]["details"]["date_of_birth"] == dob
    else:
        assert response.status_code == 200, dob
        assert list(response.context["form"].errors) == ["date_of_birth"], dob
    assert Patient.objects.count() == 0


SPRING_FORWARD = datetime.date(2027, 3, 28)  # 01:00 → 02:00 in London
FALL_BACK = datetime.date(2027, 10, 31)  # 02:00 → 01:00 in London


@st.composite
def dst_slot_values(draw):
    """A slot value posted around a DST change: aware (either fold), naive or UTC, on the 15-minute grid or not."""
    day = draw(st.sampled_from([SPRING_FORWARD, FALL_BACK]))
    local = draw(
        st.datetimes(
            min_value=datetime.datetime.combine(day - datetime.timedelta(days=2), datetime.time()),
            max_value=datetime.datetime.combine(day + datetime.timedelta(days=2), datetime.time(23, 59)),
            timezones=st.just(LONDON),
            allow_imaginary=True,
        )
    )
    local = local.replace(minute=draw(st.sampled_from([0, 15, 30, 45, 7])), second=0, microsecond=0)
    style = draw(st.sampled_from(["aware", "other fold", "naive", "utc"]))
    if style == "other fold":
        local = local.replace(fold=1 - local.fold)
    if style == "naive":
        return day, local.replace(tzinfo=None).isoformat()
    if style == "utc":
        return day, local.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    return day, local.isoformat()


def local_label(value):
    return datetime.datetime.fromisoformat(value).astimezone(LONDON).strftime("%H:%M")


@pytest.fixture
def patients_by_day():
    """One browser per DST day, kept across hypothesis examples."""
    return {}


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(posted=dst_slot_values())
@example(posted=(SPRING_FORWARD, "2027-03-28T01:30:00"))  # does not exist in London
@example(posted=(SPRING_FORWARD, "2027-03-28T01:30:00+00:00"))
@example(posted=(SPRING_FORWARD, "2027-03-28T01:30:00+01:00"))
@example(posted=(FALL_BACK, "2027-10-31T01:30:00"))  # happens twice in London
@example(posted=(FALL_BACK, "2027-10-31T01:30:00+01:00"))
@example(posted=(FALL_BACK, "2027-10-31T01:30:00+00:00"))
@example(posted=(SPRING_FORWARD, "2027-03-29T10:00:00+01:00"))
@example(posted=(FALL_BACK, "2027-11-01T10:00:00+00:00"))
def test_E2_slot_values_around_dst_changes_never_break_the_times_step(clinic_schedule, patients_by_day, posted):
    """E2: nonexistent, ambiguous and odd slot values: kept only if a real free time, else a clean 200/409."""
    day, value = posted
    with time_machine.travel(datetime.datetime.combine(day - datetime.timedelta(days=5), datetime.time(8), LONDON)):
        if day not in patients_by_day:
            patients_by_day[day] = Client()
            patients_by_day[day].get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
        client = patients_by_day[day]
        kept_before = client.session["booking"]["slot"]
        response = client.post("/book/times/", {"slot": value})
        assert response.status_code in {200, 302, 409}, (value, response.status_code)
        wanted = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if wanted.tzinfo is None:
            if wanted.replace(tzinfo=LONDON, fold=0).utcoffset() != wanted.replace(tzinfo=LONDON, fold=1).utcoffset():
                # A London wall time that does not exist or happens twice: refused as a form error.
                assert response.status_code == 200, value
                assert "slot" in response.context["form"].errors
            wanted = wanted.replace(tzinfo=LONDON)
        if response.status_code == 302:
            kept = datetime.datetime.fromisoformat(client.session["booking"]["slot"])
            assert kept.utcoffset() is not None
            assert kept == wanted
            local = kept.astimezone(LONDON)
            assert local.weekday() < 5 and datetime.time(9) <= local.time() < datetime.time(17), local
        else:
            assert client.session["booking"]["slot"] == kept_before  # the refused value was not kept
        if response.status_code == 409:
            page = soup5(response.content)
            for choice in page.find_all("input", attrs={"name": "slot"}):
                label = page.find("label", attrs={"for": choice["id"]}).get_text()
                assert f" at {local_label(choice['value'])} with " in label, (choice["value"], label)


@pytest.mark.parametrize(
    ("travel_to", "local_start", "utc_start"),
    [
        (
            "2027-03-22",
            datetime.datetime(2027, 3, 26, 10, 0),  # noqa: DTZ001 (wall-clock time, given the clinic zone below)
            datetime.datetime(2027, 3, 26, 10, 0, tzinfo=datetime.UTC),
        ),
        (
            "2027-03-22",
            datetime.datetime(2027, 3, 29, 10, 0),  # noqa: DTZ001 (wall-clock time, given the clinic zone below)
            datetime.datetime(2027, 3, 29, 9, 0, tzinfo=datetime.UTC),
        ),
        (
            "2027-10-25",
            datetime.datetime(2027, 10, 29, 10, 0),  # noqa: DTZ001 (wall-clock time, given the clinic zone below)
            datetime.datetime(2027, 10, 29, 9, 0, tzinfo=datetime.UTC),
        ),
        (
            "2027-10-25",
            datetime.datetime(2027, 11, 1, 10, 0),  # noqa: DTZ001 (wall-clock time, given the clinic zone below)
            datetime.datetime(2027, 11, 1, 10, 0, tzinfo=datetime.UTC),
        ),
    ],
)
def test_E2_times_either_side_of_dst_are_stored_in_utc_and_shown_in_london_time(
    clinic_schedule, staff_client, travel_to, local_start, utc_start
):
    """E2: 10:00 London before and after a DST change is stored as the right UTC instant and shown as 10:00."""
    start = datetime.datetime.fromisoformat(travel_to).replace(hour=8, tzinfo=LONDON)
    with time_machine.travel(start, tick=False):
        client = Client()
        client.get("/book/", {"consultation_type": "milia-consultation", "practitioner": "any"})
        week = soup5(client.get("/book/times/", {"week": local_start.date().isoformat()}).content)
        for choice in week.find_all("input", attrs={"name": "slot"}):
            label = week.find("label", attrs={"for": choice["id"]}).get_text()
            assert label == local_label(choice["value"]), (choice["value"], label)
        slot = local_start.replace(tzinfo=LONDON)
        review = walk_to_review(client, slot=slot, details={"date_of_birth": "2000-02-29"})
        assert f"{slot:%A} {slot.day} {slot:%B %Y} at 10:00" in review.content.decode()
        assert confirm(client, review)["Location"] == "/book/confirmed/"
        appointment = Appointment.objects.select_related("patient").get()
        assert appointment.starts_at == utc_start
        assert appointment.starts_at.utcoffset() == datetime.timedelta(0)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT starts_at AT TIME ZONE 'UTC' FROM clinic_appointment WHERE id = %s", [appointment.pk]
            )
            assert cursor.fetchone()[0] == utc_start.replace(tzinfo=None)
        assert appointment.patient.date_of_birth == datetime.date(2000, 2, 29)
        assert "at 10:00" in client.get("/book/confirmed/").content.decode()
        assert "at 10:00" in Outbox.objects.get(kind="booking_confirmed").body_html
        ics = client.get("/book/confirmed/calendar.ics").content.decode()
        assert f"DTSTART:{utc_start:%Y%m%dT%H%M%S}Z" in ics
        clinician = staff_client(roles.CLINICIAN)  # signed in at the travelled-to time
        change = soup5(clinician.get(admin_url(f"clinic/appointment/{appointment.pk}/change/")).content)
        shown = change.select_one(".field-starts_at .readonly").get_text()
        assert shown == f"{slot.day} {slot:%b %Y}, 10 a.m.", shown


# --- E4: oversized and malformed requests ----------------------------------------------------------------------

FORM = "application/x-www-form-urlencoded"
STEPS = ["/book/times/", "/book/details/", "/book/questions/", "/book/review/"]
TOO_BIG_OR_BROKEN = {
    "3 MB body": (FORM, b"notes=" + b"x" * (3 * 1024 * 1024)),
    "2,000 fields": (FORM, "&".join(f"f{i}=x" for i in range(2000)).encode()),
    "multipart without boundary": ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb"),
}


def valid_step_body(step, **raw):
    """A body each step would accept, with `raw` (already encoded bytes) spliced in."""
    fields = {
        "/book/times/": {"slot": at(TUESDAY, 11).isoformat()},
        "/book/details/": DETAILS,
        "/book/questions/": ANSWERS,
        "/book/review/": {},  # the one field is the broken one
    }[step]
    body = urlencode(fields).encode()
    return b"&".join([body, *(name.encode() + b"=" + value for name, value in raw.items())])


def broken(step, junk):
    """The field that carries the undecodable bytes: the confirmation key at the last step, else the name."""
    if step == "/book/review/":
        return {"idempotency_key": b"k" * 32 + junk}
    return {"name": b"Eve" + junk}


NOT_UTF8_OR_NOT_A_FORM = {
    # Each form field valid, plus one undecodable byte sequence (the name for the details step).
    "invalid UTF-8": lambda step: (FORM, valid_step_body(step, **broken(step, b"\xff\xfe\xc3\x28"))),
    "percent-encoded invalid UTF-8": lambda step: (FORM, valid_step_body(step, **broken(step, b"%FF%FE%C3%28"))),
    "JSON": lambda step: ("application/json", b'{"slot": "2026-12-08T11:00:00+00:00", "name": "Eve"}'),
    "text/plain": lambda step: ("text/plain", valid_step_body(step)),
}


def post_to_every_step(client, request_for):
    """{step: status} after posting `request_for(step)` = (content type, body) to each booking step."""
    statuses = {}
    for step in STEPS:
        content_type, body = request_for(step)
        statuses[step] = client.post(step, body, content_type=content_type).status_code
    return statuses


def nothing_stored():
    return Appointment.objects.count() == Outbox.objects.count() == Patient.objects.count() == 0


@pytest.mark.parametrize("kind", list(TOO_BIG_OR_BROKEN))
def test_E4_oversized_and_broken_posts_to_the_booking_steps_get_400_or_413(now, clinic_schedule, kind):
    """E4: a 3 MB body, 2,000 fields or a boundary-less multipart body: 400 or 413 at every step, nothing stored."""
    client = Client(raise_request_exception=False)
    walk_to_review(client)  # every step now reads the body
    statuses = post_to_every_step(client, lambda step: TOO_BIG_OR_BROKEN[kind])
    assert set(statuses.values()) <= {400, 413}, statuses
    assert nothing_stored()


@pytest.mark.parametrize("kind", list(NOT_UTF8_OR_NOT_A_FORM))
def test_E4_undecodable_or_non_form_bodies_never_cause_a_500_or_a_booking(now, clinic_schedule, kind):
    """E4: invalid UTF-8 and wrong content types: never a 500 and never a booking."""
    client = Client(raise_request_exception=False)
    walk_to_review(client)
    statuses = post_to_every_step(client, NOT_UTF8_OR_NOT_A_FORM[kind])
    assert not [s for s in statuses.values() if s >= 500], statuses
    assert nothing_stored()


@pytest.mark.parametrize("kind", ["invalid UTF-8", "percent-encoded invalid UTF-8"])
def test_E4_invalid_utf8_is_refused_with_400(now, clinic_schedule, kind):
    """E4: a body that is not UTF-8 is refused (400), not reinterpreted and kept."""
    client = Client(raise_request_exception=False)
    walk_to_review(client)
    content_type, body = NOT_UTF8_OR_NOT_A_FORM[kind]("/book/details/")
    response = client.post("/book/details/", body, content_type=content_type)
    assert response.status_code == 400
    assert client.session["booking"]["details"]["name"] == "Pat Example"  # nothing mangled was kept


@pytest.mark.parametrize("kind", ["JSON", "text/plain"])
def test_E4_a_wrong_content_type_is_refused_with_400_or_413(now, clinic_schedule, kind):
    """E4: a POST that is not a form at all gets a 400-class refusal at every step."""
    client = Client(raise_request_exception=False)
    walk_to_review(client)
    statuses = post_to_every_step(client, NOT_UTF8_OR_NOT_A_FORM[kind])
    # The review step's text/plain body is empty ("{}" has no fields): an empty POST is just an invalid form.
    statuses = {step: status for step, status in statuses.items() if NOT_UTF8_OR_NOT_A_FORM[kind](step)[1] != b""}
    assert set(statuses.values()) == {415}, statuses


# --- A6: migrations on both databases (last: the SQLite migrate runs in the background meanwhile) -----------


def start_manage(*args, env):
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture(scope="module", autouse=True)
def sqlite_migration(request, tmp_path_factory):
    """`migrate` from zero on a new SQLite file, started in the background when this module starts, if A6 runs."""
    if not any(item.name.startswith("test_A6_") for item in request.session.items):
        yield None
        return
    folder = tmp_path_factory.mktemp("a6-sqlite")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="false",
        SECRET_KEY="migration-check-" + "k" * 50,
        ALLOWED_HOSTS="clinic.example",
        VAR_DIR=str(folder),
        DATABASE_URL=f"sqlite:///{folder / 'fresh.sqlite3'}",
    )
    process = start_manage("migrate", "--noinput", env=env)
    yield folder / "fresh.sqlite3", process
    if process.poll() is None:
        process.kill()
    process.communicate()


def test_A6_migrations_apply_from_zero_on_sqlite_and_the_exclusion_constraint_is_postgres_only(
    on_postgres, sqlite_migration
):
    """A6: migrate from zero on file SQLite (and the tests' PostgreSQL); GiST exclusion only on PG; none pending."""
    out = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=1, stdout=out, stderr=out)
    except SystemExit:
        pytest.fail("makemigrations --check found changes without a migration:\n" + out.getvalue())

    expected = {p.stem for p in (ROOT / "clinic" / "migrations").glob("0*.py")}
    with on_postgres.cursor() as cursor:
        cursor.execute(
            "SELECT contype FROM pg_constraint WHERE conname = 'appointment_no_overlap'"
            " AND conrelid = 'clinic_appointment'::regclass"
        )
        assert cursor.fetchall() == [("x",)]  # an exclusion constraint
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() is not None
        cursor.execute("SELECT name FROM django_migrations WHERE app = 'clinic'")
        assert {row[0] for row in cursor.fetchall()} == expected

    database, migrate = sqlite_migration
    output, _ = migrate.communicate(timeout=120)
    assert migrate.returncode == 0, output
    db = sqlite3.connect(database)
    try:
        applied = {row[0] for row in db.execute("SELECT name FROM django_migrations WHERE app = 'clinic'")}
        schema = " ".join(row[0] or "" for row in db.execute("SELECT sql FROM sqlite_master"))
    finally:
        db.close()
    assert applied == expected
    assert 'CREATE TABLE "clinic_appointment"' in schema
    assert "appointment_no_overlap" not in schema and "EXCLUDE" not in schema.upper()
