"""Redis as a cache that can never take a page down: every call fails open, fast.

The site caches only to be faster (page fragments) or to count (the patient-link rate limit).
When Redis hangs or is down, a page must still render, uncached, within its usual time, so
each call has a short socket timeout and, after a failure, this process skips Redis for a
few seconds instead of paying that timeout again on every call.
"""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

P = ParamSpec("P")

TIMEOUT_SECONDS = 0.25
PAUSE_SECONDS = 5.0

# What each call answers while Redis cannot: a miss, nothing stored, nothing counted (None).
FALLBACKS = {
    "get": lambda *args, **kwargs: kwargs.get("default", args[1] if len(args) > 1 else None),
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "add": lambda *args, **kwargs: False,
    "set": lambda *args, **kwargs: None,
    "set_many": lambda *args, **kwargs: [],
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "delete_many": lambda *args, **kwargs: None,
    "incr": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
}


def _fail_open(
    name: str, method: Callable[Concatenate[RedisCache, P], object]
) -> Callable[Concatenate["FailOpenRedisCache", P], object]:
    fallback = FALLBACKS[name]

    @functools.wraps(method)
    def call(self: FailOpenRedisCache, *args: P.args, **kwargs: P.kwargs) -> object:
        if time.monotonic() < self.paused_until:
            return fallback(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except ValueError:
            raise  # incr of a missing key: Django's contract, not an outage
        except Exception as exc:  # redis-py's errors, timeouts, refused connections: Redis is not answering
            FailOpenRedisCache.paused_until = time.monotonic() + PAUSE_SECONDS
            logger.warning("cache unavailable (%s); serving uncached for %s s", type(exc).__name__, PAUSE_SECONDS)
            return fallback(*args, **kwargs)

    return call


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache with short timeouts; a failing call answers like an empty cache."""

    # For the whole process: each thread has its own cache object, and all of them should skip a dead Redis.
    paused_until = 0.0

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**params.get("OPTIONS", {})}}
        params["OPTIONS"].setdefault("socket_timeout", TIMEOUT_SECONDS)
        params["OPTIONS"].setdefault("socket_connect_timeout", TIMEOUT_SECONDS)
        super().__init__(server, params)


for _name in FALLBACKS:
    setattr(FailOpenRedisCache, _name, _fail_open(_name, getattr(RedisCache, _name)))
