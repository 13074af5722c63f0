"""The whole-page cache of the public content pages (clinic/lib/page_cache.py)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.lib import page_cache
from tests.review_fixtures import clinical_lead, unsign
from treatments import review
from treatments.models import AftercareStep, ConditionPage, TreatmentPage

pytestmark = pytest.mark.django_db

PAGES = ["/", "/milia/", "/treatments/", "/treatments/laser/"]


def queries_of(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


@pytest.mark.parametrize("url", PAGES)
def test_the_second_anonymous_request_is_served_without_the_database(client, url):
    first, _ = queries_of(client, url)
    second, count = queries_of(client, url)
    assert first.status_code == second.status_code == 200
    assert count == 0
    assert second.content == first.content
    # Served by CachedPageMiddleware, before sessions and the user are looked at.
    assert not hasattr(second.wsgi_request, "session") and not hasattr(second.wsgi_request, "user")
    # The security headers are the middleware's, on the cached copy too.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "script-src 'self'" in second["Content-Security-Policy"]
    assert "nonce" not in second["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert "Cookie" in second["Vary"]


def test_a_page_with_a_query_string_is_the_same_cached_page(client):
    client.get("/treatments/laser/")
    response, count = queries_of(client, "/treatments/laser/?utm_source=leaflet")
    assert response.status_code == 200 and count == 0


def test_an_edit_and_its_sign_off_show_at_once(client):
    client.get("/treatments/laser/")
    client.get("/treatments/")
    page = TreatmentPage.objects.get(slug="laser")
    page.summary = "CACHE-CANARY summary"
    page.save()
    # Edited, not signed off: the public no longer sees the page at all.
    assert client.get("/treatments/laser/").status_code == 404
    assert "/treatments/laser/" not in client.get("/treatments/").content.decode()
    review.sign_off(page, user=clinical_lead(), now=timezone.now())
    assert "CACHE-CANARY summary" in client.get("/treatments/laser/").content.decode()
    assert "CACHE-CANARY summary" in client.get("/treatments/").content.decode()


def test_an_faq_edit_shows_at_once(client):
    client.get("/milia/")
    page = ConditionPage.objects.get(slug="milia")
    faq = page.faqs.first()
    faq.answer = "CACHE-CANARY answer"
    faq.save()
    review.sign_off(page, user=clinical_lead(), now=timezone.now())
    assert "CACHE-CANARY answer" in client.get("/milia/").content.decode()


def test_deleting_a_page_or_faq_shows_at_once(client):
    client.get("/treatments/")
    client.get("/milia/")
    TreatmentPage.objects.get(slug="excision").delete()
    assert "/treatments/excision/" not in client.get("/treatments/").content.decode()
    assert client.get("/treatments/excision/").status_code == 404
    page = ConditionPage.objects.get(slug="milia")
    question = page.faqs.first().question
    assert question in client.get("/milia/").content.decode()
    page.faqs.first().delete()
    review.sign_off(page, user=clinical_lead(), now=timezone.now())
    assert question not in client.get("/milia/").content.decode()


def test_an_aftercare_step_save_makes_a_new_version(client):
    client.get("/treatments/laser/")
    step = AftercareStep.objects.first()
    step.save()
    _, count = queries_of(client, "/treatments/laser/")
    assert count > 0  # rendered again


def test_a_sign_off_taken_away_shows_at_once(client):
    assert client.get("/treatments/laser/").status_code == 200
    unsign(TreatmentPage.objects.get(slug="laser"))  # an UPDATE: unsign tells the cache itself
    assert client.get("/treatments/laser/").status_code == 404


def test_staff_never_get_the_cached_copy_and_see_their_banner(client, admin_client):
    TreatmentPage.objects.filter(slug="laser").update(next_review_due=datetime.date(2020, 1, 1))
    public = client.get("/treatments/laser/").content.decode()
    assert "Review overdue" not in public
    assert client.get("/treatments/laser/").content.decode() == public  # cached now
    staff, count = queries_of(admin_client, "/treatments/laser/")
    assert count > 0
    assert "Review overdue" in staff.content.decode()
    assert "ETag" not in staff
    # And what staff saw was never stored for the public.
    assert "Review overdue" not in client.get("/treatments/laser/").content.decode()


def test_staff_previews_of_pages_not_live_are_not_cached_for_the_public(client, admin_client):
    unsign(TreatmentPage.objects.get(slug="laser"))
    assert admin_client.get("/treatments/laser/").status_code == 200
    assert client.get("/treatments/laser/").status_code == 404


def test_a_visitor_with_a_session_gets_the_page_rendered(client):
    client.get("/treatments/laser/")
    session = client.session
    session["booking"] = {"treatment": "laser"}
    session.save()
    response, count = queries_of(client, "/treatments/laser/")
    assert response.status_code == 200 and count > 0


def test_a_repeat_visit_gets_a_304(client):
    first = client.get("/treatments/laser/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "no-cache"
    again, count = queries_of(client, "/treatments/laser/", if_none_match=etag)
    assert again.status_code == 304 and again.content == b"" and count == 0
    assert client.get("/treatments/laser/", headers={"if_modified_since": modified}).status_code == 304
    assert client.get("/milia/", headers={"if_none_match": etag}).status_code == 200  # another page's tag


def test_after_a_change_the_old_etag_and_date_get_the_new_page(client):
    first = Client().get("/treatments/laser/")
    page = TreatmentPage.objects.get(slug="laser")
    page.summary = "CACHE-CANARY new"
    page.save()
    review.sign_off(page, user=clinical_lead(), now=timezone.now())
    by_tag = client.get("/treatments/laser/", headers={"if_none_match": first["ETag"]})
    assert by_tag.status_code == 200 and "CACHE-CANARY new" in by_tag.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_the_cached_copy_carries_every_security_header(client, url):
    from tests.clinic.test_web_security import assert_security_headers

    client.get(url, secure=True)
    cached = client.get(url, secure=True)
    assert cached.status_code == 200
    assert_security_headers(cached)
    assert len(cached["X-Request-ID"]) == 32
    assert int(cached["Content-Length"]) == len(cached.content)


def test_a_cached_page_still_checks_the_host(client):
    client.get("/treatments/laser/")
    assert client.get("/treatments/laser/", headers={"host": "evil.example"}).status_code == 400


def test_a_page_cached_with_debug_on_is_not_served_with_it_off(client, settings):
    page = unsign(TreatmentPage.objects.get(slug="laser"))
    settings.DEBUG = True
    review.sign_off_as_demo(page, now=timezone.now())
    assert client.get("/treatments/laser/").status_code == 200
    settings.DEBUG = False  # a demo sign-off does not count
    assert client.get("/treatments/laser/").status_code == 404


def test_a_cached_page_names_its_request_like_any_response(client):
    client.get("/milia/")
    response = client.get("/milia/", headers={"x-request-id": "proxy-id-12345"})
    assert not hasattr(response.wsgi_request, "session")  # the cached copy
    assert response["X-Request-ID"] == "proxy-id-12345"
    assert client.get("/milia/", headers={"x-request-id": "bad id!"})["X-Request-ID"] != "bad id!"


@pytest.fixture
def redis_cache(redis_proc, redisdb, settings):
    """The site's cache is the test's Redis (db 2), as with CACHE_URL: the version lives there."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "clinic.lib.cache.FailOpenRedisCache",
            "LOCATION": f"redis://{redis_proc.host}:{redis_proc.port}/2",
        }
    }
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()
    caches["default"].close()


def test_with_redis_the_version_is_shared_and_an_edit_shows_at_once(client, redis_cache):
    client.get("/treatments/laser/")
    _, count = queries_of(client, "/treatments/laser/")
    assert count == 0
    before = redis_cache.get(page_cache.VERSION_KEY)
    page = TreatmentPage.objects.get(slug="laser")
    page.summary = "CACHE-CANARY redis"
    page.save()
    review.sign_off(page, user=clinical_lead(), now=timezone.now())
    assert redis_cache.get(page_cache.VERSION_KEY) > before
    assert "CACHE-CANARY redis" in client.get("/treatments/laser/").content.decode()


def test_with_redis_down_pages_are_rendered_uncached(client, dead_redis):
    for _ in range(2):
        response, count = queries_of(client, "/treatments/laser/")
        assert response.status_code == 200 and count > 0
