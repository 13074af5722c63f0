"""Patient links are secret tokens: slow down anyone trying to guess them (RELIABILITY D6)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

from .client_ip import client_ip
from .middleware import NoStoreMiddleware

logger = logging.getLogger(__name__)


class TokenLinkRateLimitMiddleware:
    """At most TOKEN_LINK_RATE_PER_MINUTE requests a minute per client address to token pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(NoStoreMiddleware.TOKEN_PREFIXES) and self._over_limit(request):
            response = render(request, "429.html", status=429)
            response["Retry-After"] = "60"
            return response
        return self.get_response(request)

    @staticmethod
    def _over_limit(request):
        key = f"token-link-rate:{client_ip(request)}:{int(time.time() // 60)}"
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
