"""Request guards, response headers beyond Django's security middleware, and staff session limits."""

import re
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Control characters and lone surrogates: no page takes them, and PostgreSQL cannot store a NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# Token pages must never leak their URL through Referer, yet their forms must still pass the
# CSRF check: under "no-referrer" browsers send "Origin: null" with a form POST, which Django
# (rightly) refuses. "strict-origin" sends only the site's origin, never the path with the token.
TOKEN_PAGE_REFERRER_POLICY = "strict-origin"  # noqa: S105 (a header value, not a secret)


class RequestGuardMiddleware:
    """Refuse what no page of the site accepts, before any view or form reads it.

    A body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 from its Content-Length alone, without
    reading it (the proxy in front should refuse it earlier still, see docs/SECURITY.md). A body that
    is not a form is a 415 and a form that is not UTF-8 a 400: Django would read the first as an empty
    form and quietly re-decode the second as Latin-1, keeping mangled details. A query parameter
    holding a control character is a 400, so no view passes a NUL on to the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise BadRequest("Content-Length is not a number") from None
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return render(request, "413.html", status=413)
        if length and request.method in ("POST", "PUT", "PATCH"):
            if request.content_type not in FORM_TYPES:
                return render(request, "400.html", status=415)
            if request.content_type == FORM_TYPES[0]:
                try:
                    parse_qsl(request.body.decode(), keep_blank_values=True, encoding="utf-8", errors="strict")
                except (UnicodeDecodeError, ValueError):
                    raise BadRequest("The form is not UTF-8") from None
        for key, values in request.GET.lists():
            if any(CONTROL_CHARACTERS.search(text) for text in (key, *values)):
                raise BadRequest("Control characters in the query string")
        return self.get_response(request)


class NoStoreMiddleware:
    """Patient and staff pages may hold personal data: browsers and proxies must not keep them.

    Public information pages and static files stay cacheable.
    """

    PRIVATE_PREFIXES = ("/book/", "/manage/", "/aftercare/", "/email/")
    # Pages reached by a token link: the token must not leak to other sites through Referer.
    TOKEN_PREFIXES = ("/manage/", "/aftercare/", "/email/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        private = (*self.PRIVATE_PREFIXES, "/" + settings.ADMIN_URL)
        if request.path.startswith(private) or request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, max-age=0"
        if request.path.startswith(self.TOKEN_PREFIXES):
            response["Referrer-Policy"] = TOKEN_PAGE_REFERRER_POLICY
        return response


class StaffSessionTimeoutMiddleware:
    """Sign a staff member out after STAFF_IDLE_TIMEOUT_MINUTES idle, or SESSION_COOKIE_AGE after signing in.

    Touching the session on each request would also slide Django's own expiry forward, so the
    absolute limit is kept here, from the time of sign-in.
    """

    LAST_SEEN = "staff_last_seen"
    SIGNED_IN = "staff_signed_in"
    # Write the session at most this often: a page load's assets must not each save it.
    TOUCH_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.user.is_staff:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        now = int(timezone.now().timestamp())
        session = request.session
        last_seen = session.get(self.LAST_SEEN, now)
        signed_in = session.setdefault(self.SIGNED_IN, now)
        idle_limit = settings.STAFF_IDLE_TIMEOUT_MINUTES * 60
        if now - last_seen > idle_limit or now - signed_in > settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(request, "You were signed out after a period of inactivity. Please sign in again.")
            return
        if now - last_seen >= self.TOUCH_EVERY or self.LAST_SEEN not in session:
            session[self.LAST_SEEN] = now
