"""Pages reached by a secret link (manage, aftercare, unsubscribe): the one list of them and their policy.

Their paths hold a credential, so: no cache keeps them, no Referer carries the path away, a client
address may make only so many requests a minute to them (guessing), and logs redact them
(clinic.lib.log_redaction builds its pattern from the same list).
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from .client_ip import client_ip

logger = logging.getLogger(__name__)

# Each ends in "<token>/...": the part after the prefix is the credential.
TOKEN_PREFIXES = ("/manage/", "/aftercare/", "/email/unsubscribe/", "/waitlist/place/")
# Pages that may show personal data: booking steps, token pages and what follows them.
PRIVATE_PREFIXES = ("/book/", "/manage/", "/aftercare/", "/email/", "/dev/", "/waitlist/")
# Under "no-referrer" browsers post "Origin: null", which the CSRF check (rightly) refuses;
# "strict-origin" sends only the site's origin, never the path with the token.
REFERRER_POLICY = "strict-origin"


def is_token_page(path: str) -> bool:
    return path.startswith(TOKEN_PREFIXES)


def is_private_page(path: str) -> bool:
    return path.startswith((*PRIVATE_PREFIXES, "/" + settings.ADMIN_URL))


class NoStoreMiddleware:
    """Patient and staff pages may hold personal data: browsers and proxies must not keep them.

    Public information pages and static files stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if is_private_page(request.path) or request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, max-age=0"
        if is_token_page(request.path):
            response["Referrer-Policy"] = REFERRER_POLICY
        return response


def rate_window() -> int:
    """The minute a request is counted in (a fixed window: the count starts again each minute)."""
    return int(time.time() // 60)


class TokenLinkRateLimitMiddleware:
    """At most TOKEN_LINK_RATE_PER_MINUTE requests a minute per client address to token pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_token_page(request.path) and self._over_limit(request):
            response = render(request, "429.html", status=429)
            response["Retry-After"] = "60"
            return response
        return self.get_response(request)

    @staticmethod
    def _over_limit(request: HttpRequest) -> bool:
        key = f"token-link-rate:{client_ip(request)}:{rate_window()}"
        cache.add(key, 0, timeout=90)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            count = 1
        if count is None:
            # The cache is down (it fails open): a patient with a real link must still get in.
            logger.warning("token-link rate limit not applied: the cache is unavailable")
            return False
        return count > settings.TOKEN_LINK_RATE_PER_MINUTE
