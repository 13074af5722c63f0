"""/healthz/: is the site fit to serve, and is its email flowing? For load balancers, compose and monitoring.

Answered by a middleware placed first, before host validation, sessions or the user: a probe from
a container or a load balancer sends whatever Host it likes, and must cost a few milliseconds.
"""

import json
import logging
import os
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from kombu import Connection

from .mail.housekeeping import mail_health

logger = logging.getLogger(__name__)

PATH = "/healthz/"
TIMEOUT_SECONDS = 1.0


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as exc:  # any failure means "not ready"; the error is for the log, not the probe
        logger.warning("health: database unreachable (%s)", type(exc).__name__)
        return False


def broker_answers(url=None):
    """Does the task broker answer within TIMEOUT_SECONDS? A folder broker: is its folder there and writable."""
    url = url or settings.CELERY_BROKER_URL
    scheme = urlsplit(url).scheme
    try:
        if scheme in ("redis", "rediss"):
            client = redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
            try:
                return bool(client.ping())
            finally:
                client.close()
        if scheme == "filesystem":
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
            return os.path.isdir(folder) and os.access(folder, os.W_OK)
        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
        return True
    except Exception as exc:  # any failure means "not ready"
        logger.warning("health: task broker unreachable (%s)", type(exc).__name__)
        return False


def report(*, now):
    """(healthy?, the JSON-ready report)."""
    database = database_answers()
    report = {"database": "ok" if database else "unreachable"}
    healthy = database
    if settings.OUTBOX_USE_CELERY:
        broker = broker_answers()
        report["broker"] = "ok" if broker else "unreachable"
        healthy = healthy and broker
    else:
        report["broker"] = "not used (mail is sent by cron)"
    if database:
        report["mail"] = mail_health(now=now)
        late = report["mail"]["oldest_due_seconds"] or 0
        report["mail"]["late"] = late > settings.HEALTH_MAIL_MAX_WAIT_SECONDS
        healthy = healthy and not report["mail"]["late"]
    report["status"] = "ok" if healthy else "failing"
    return healthy, report


class HealthCheckMiddleware:
    """Answers GET /healthz/ with 200 (healthy) or 503 and the report as JSON; never cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH:
            return self.get_response(request)
        healthy, body = report(now=timezone.now())
        response = HttpResponse(json.dumps(body), content_type="application/json", status=200 if healthy else 503)
        add_never_cache_headers(response)
        return response
