"""The site's frame: home page, landmarks, error pages and security headers."""

import pytest
from django.test import Client
from django.urls import path

from tests.helpers import inline_code, soup, third_party_urls

pytestmark = pytest.mark.django_db


def test_home_introduces_the_clinic_with_contact_details_from_settings(client, settings):
    response = client.get("/")
    page = soup(response)
    assert response.status_code == 200
    assert settings.CLINIC_NAME in page.find("h1").text
    footer = page.find("footer").text
    assert settings.CLINIC_PHONE in footer
    assert settings.CLINIC_ADDRESS in footer
    assert settings.CLINIC_OPENING_HOURS in footer
    hrefs = {a["href"] for a in page.find("main").find_all("a")}
    assert {"/milia/", "/treatments/", "/book/"} <= hrefs


def test_every_page_has_a_skip_link_and_landmarks(client):
    page = soup(client.get("/"))
    skip = page.find("a")
    assert skip["href"] == "#main"
    assert page.find("main", id="main")
    for landmark in ("header", "nav", "footer"):
        assert page.find(landmark), landmark
    assert page.find("html")["lang"] == "en-GB"


def test_pages_make_no_third_party_requests_and_have_no_inline_code(client):
    for url in ("/", "/book/", "/does-not-exist/"):
        page = soup(client.get(url))
        assert third_party_urls(page) == [], url
        assert inline_code(page) == [], url


def test_bootstrap_is_served_from_our_static_files(client):
    page = soup(client.get("/"))
    href = page.find("link", rel="stylesheet")["href"]
    assert href.startswith("/static/vendor/bootstrap-5.3.9/css/bootstrap.min.")
    response = client.get(href)
    assert response.status_code == 200
    assert b"Bootstrap  v5.3.9" in b"".join(response.streaming_content)[:200]
    assert "immutable" in response["Cache-Control"]


def test_not_found_page_is_ours(client, settings):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert settings.CLINIC_PHONE in response.content.decode()


def boom(request):
    raise RuntimeError("CANARY-stack-trace")


urlpatterns = [path("boom/", boom)]
handler500 = "clinic.views.server_error"


@pytest.mark.urls("tests.clinic.test_pages")
def test_A5_server_error_page_leaks_nothing(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).post("/boom/", {"notes": "CANARY-notes"})
    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, something went wrong" in body
    assert "CANARY" not in body
    assert "Traceback" not in body


def test_A2_security_headers_on_pages(client):
    for url in ("/", "/book/", "/no-such-page/"):
        response = client.get(url, secure=True)
        assert response["Strict-Transport-Security"].startswith("max-age=63072000; includeSubDomains"), url
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "camera=()" in response["Permissions-Policy"]
        csp = response["Content-Security-Policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
            assert directive in csp
        assert "unsafe-inline" not in csp


def test_booking_pages_are_never_cached(client):
    assert "no-store" in client.get("/book/")["Cache-Control"]
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_A4_a_bad_host_header_is_refused(client):
    assert client.get("/", HTTP_HOST="evil.test").status_code == 400
