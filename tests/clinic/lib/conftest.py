"""Helpers' fixtures: a cache whose Redis is gone, a logger writing through the site's redaction filter."""

import io
import logging

import pytest
from django.core.cache import caches

from clinic.lib import cache as fail_open
from clinic.lib.log_redaction import RedactTokens
from tests.support.smtp_sink import free_port


@pytest.fixture
def dead_redis(settings, monkeypatch):
    """The site's cache is Redis on a port where nothing answers."""
    monkeypatch.setattr(fail_open.FailOpenRedisCache, "paused_until", 0.0)
    settings.CACHES = {
        "default": {"BACKEND": "clinic.lib.cache.FailOpenRedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/1"}
    }
    yield caches["default"]
    caches["default"].close()


@pytest.fixture
def log():
    """A logger whose handler carries the site's filter and formatter; yields (logger, the text it wrote)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactTokens())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)
