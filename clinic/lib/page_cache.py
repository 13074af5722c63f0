"""Whole-page cache of the public content pages for anonymous visitors, with conditional GET.

`/`, `/milia/`, `/treatments/` and `/treatments/<slug>/` are the same for every visitor who is not
signed in, so the rendered page is kept in the cache and served without touching the database.
The views are wrapped in `cached_page` where the URLs are declared (`clinic/urls.py`), and
`clinic/apps.py` connects `content_changed` to the content models' signals: this module knows
no model, and `treatments` stays free of `clinic`.

- **Who gets the cached copy.** Only a GET or HEAD without a session cookie and without a
  messages cookie. Staff always carry a session cookie (they are signed in), so they never get
  the cached copy and always see the review banners; a patient in the middle of a booking
  (who has a session) gets the page rendered as before. Nothing rendered for a request that has
  a session is ever stored.
- **Invalidation.** The cache key holds a content version: any save or delete of a page, an FAQ
  or an aftercare step (a clinical sign-off is a save) calls `content_changed()`, at once and
  again when the transaction commits (so a request that read the old rows just before the commit
  cannot keep them cached). The version lives in the cache when it is shared (Redis, every
  process and machine sees it) and in the modification time of a file under VAR_DIR when the
  cache is each process's own memory (every process of the machine sees it). The key also holds
  a token of the process's start, so a deploy (new templates, a content migration) never serves
  pages cached by the release before.
- **Conditional GET.** A served page carries an ETag (a hash of its bytes), Last-Modified (the
  content version's time) and `Cache-Control: no-cache`, so a browser asks again each time and
  a repeat visit gets a 304 with no body.
- **Fails open.** The cache is `clinic.lib.cache` (Redis that answers like an empty cache when
  down) or local memory: when it is away, pages are rendered as they were before.

Security headers (CSP, frame options, HSTS…) are added by the middleware to every response,
cached or not: the cache stores only the page's bytes and content type. The pages carry no CSP
nonce (there is no inline script), so a cached page needs none.
"""

import functools
import hashlib
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import URLPattern
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, quote_etag

from .log_context import request_id_of

VERSION_KEY = "content-pages:version"
TTL_SECONDS = 60 * 60
# Pages cached by another start of the site (another release) are never served by this one.
PROCESS_TOKEN = uuid.uuid4().hex[:12]

View = Callable[..., HttpResponseBase]


def _shared_cache() -> bool:
    return not isinstance(caches["default"], LocMemCache)


def _version_file() -> str:
    return os.path.join(settings.VAR_DIR, "content-version")


def current_version() -> int:
    """The content version: nanoseconds since the epoch of the last change seen (or of a cold start)."""
    if _shared_cache():
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, time.time_ns(), None)
            version = cache.get(VERSION_KEY) or time.time_ns()  # a cache that is down: a new version, a miss
        return int(version)
    try:
        return os.stat(_version_file()).st_mtime_ns
    except FileNotFoundError:
        return _bump()


def _bump() -> int:
    if _shared_cache():
        version = max(time.time_ns(), int(cache.get(VERSION_KEY) or 0) + 1)
        cache.set(VERSION_KEY, version, None)
        return version
    path = _version_file()
    try:
        previous = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        previous = 0
        Path(path).touch()
    version = max(time.time_ns(), previous + 1)
    os.utime(path, ns=(version, version))
    return version


def content_changed(**kwargs: Any) -> None:
    """Make the next anonymous request render the pages again (a signal receiver, or call it directly)."""
    _bump()
    transaction.on_commit(_bump)


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    session = getattr(request, "session", None)
    return (
        isinstance(response, HttpResponse)
        and response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
    )


def _etag(content: bytes) -> str:
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def _respond(request: HttpRequest, entry: dict[str, Any], *, version: int) -> HttpResponseBase:
    last_modified = version // 1_000_000_000
    response = HttpResponse(entry["content"], content_type=entry["content_type"])
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Cookie",))
    return (
        get_conditional_response(request, etag=entry["etag"], last_modified=last_modified, response=response)
        or response
    )


def _key(request: HttpRequest, version: int) -> str:
    # DEBUG decides whether a demo sign-off counts (treatments.review), so it decides what is live.
    return f"content-page:{PROCESS_TOKEN}:{int(settings.DEBUG)}:{version}:{request.path}"


def _cached_entry(request: HttpRequest, version: int) -> dict[str, Any] | None:
    return cache.get(_key(request, version))


def cached_page(view: View) -> View:
    """Serve the view's page from the cache to anonymous visitors (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _cacheable(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ("Cookie",))
            return response
        version = current_version()
        entry = _cached_entry(request, version)
        if entry is None:
            response = view(request, *args, **kwargs)
            if not _storable(request, response):
                patch_vary_headers(response, ("Cookie",))
                return response
            assert isinstance(response, HttpResponse)
            content = response.content
            entry = {"content": content, "content_type": response["Content-Type"], "etag": _etag(content)}
            cache.set(_key(request, version), entry, TTL_SECONDS)
        return _respond(request, entry, version=version)

    return wrapper


class CachedPageMiddleware:
    """Serve a cached page early, before sessions, the user, messages and URL resolution.

    It sits after the middleware that add the security headers (SecurityMiddleware, CSP,
    Permissions-Policy), so they are added as for any page, and it runs the few later ones a
    page's response goes through for an anonymous visitor: CommonMiddleware (the Host check,
    Content-Length), X-Frame-Options and the request id (`clinic.lib.log_context`'s X-Request-ID). Only a path a
    `cached_page` view has stored is ever served here; anything else goes on down the stack.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.serve: Any = CommonMiddleware(XFrameOptionsMiddleware(self._serve))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _cacheable(request):
            version = current_version()
            entry = _cached_entry(request, version)
            if entry is not None:
                request._cached_page = (entry, version)  # type: ignore[attr-defined]
                response: HttpResponseBase = self.serve(request)
                return response
        return self.get_response(request)

    @staticmethod
    def _serve(request: HttpRequest) -> Any:
        entry, version = request._cached_page  # type: ignore[attr-defined]
        response = _respond(request, entry, version=version)
        # A cached page logs nothing; like every response, it names its request (clinic.lib.log_context).
        response["X-Request-ID"] = request_id_of(request)
        return response


def cached_patterns(patterns: list[Any], *, names: set[str]) -> list[Any]:
    """`patterns` with the views of the URLs named in `names` wrapped in `cached_page`."""
    return [
        URLPattern(p.pattern, cached_page(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern) and p.name in names
        else p
        for p in patterns
    ]
