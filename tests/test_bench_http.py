"""The bench's HTTP client keeps the cookies Django gives it (bench/over_http.py), so its booking session holds."""

from django.conf import settings
from django.http import HttpResponse

from bench.over_http import cookies_set


def set_cookie_headers(response):
    return [morsel.OutputString() for morsel in response.cookies.values()]


def test_the_cookies_django_sets_are_kept_and_the_ones_it_deletes_are_dropped():
    response = HttpResponse()
    # What the booking's first step and the CSRF middleware send: Secure, HttpOnly, SameSite, a date with a comma.
    response.set_cookie(settings.SESSION_COOKIE_NAME, "abc123", max_age=3600, secure=True, httponly=True)
    response.set_cookie("csrftoken", "tok-en_9", secure=True, samesite="Lax")
    response.delete_cookie("messages")

    assert cookies_set(set_cookie_headers(response)) == {
        settings.SESSION_COOKIE_NAME: "abc123",
        "csrftoken": "tok-en_9",
        "messages": None,
    }


def test_no_set_cookie_header_changes_nothing():
    assert cookies_set([]) == {}
