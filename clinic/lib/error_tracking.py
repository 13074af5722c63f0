"""Optional error tracking with Sentry or GlitchTip (`SENTRY_DSN`), with personal data kept out.

Nothing leaves but the error: no cookies, headers, query strings or request bodies, no user, no
local variables, and token paths and email addresses redacted in every message and URL.
"""

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from .log_redaction import redact

if TYPE_CHECKING:
    from sentry_sdk.types import Event


def scrub(event: "Event", hint: dict[str, Any]) -> "Event":
    """Sentry's before_send: keep what went wrong and where; drop or redact what could identify anyone."""
    return cast("Event", _scrubbed(cast(dict[str, Any], event)))


def _scrubbed(event: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request")
    if request:
        event["request"] = {"method": request.get("method"), "url": redact(request.get("url", ""))}
    event.pop("user", None)
    for exception in event.get("exception", {}).get("values", []):
        if exception.get("value"):
            exception["value"] = redact(exception["value"])
        for frame in exception.get("stacktrace", {}).get("frames", []):
            frame.pop("vars", None)
    logentry = event.get("logentry") or {}
    if logentry.get("message"):
        logentry["message"] = redact(logentry["message"])
        logentry.pop("params", None)
    if event.get("message"):
        event["message"] = redact(event["message"])
    if "transaction" in event:
        event["transaction"] = redact(event["transaction"])
    event.pop("breadcrumbs", None)  # earlier log lines and SQL of the request: not needed to see the error
    return event


def init(dsn: str, *, environment: str, transport: Any = None) -> None:
    """Report errors from the web and the workers to `dsn`, scrubbed by `scrub`."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Collect no user, body, local variables or query data; `scrub` removes what is left over.
        data_collection={
            "user_info": False,
            "http_bodies": [],
            "stack_frame_variables": False,
            "database_query_data": False,
        },
        max_request_body_size="never",
        before_send=scrub,
        before_breadcrumb=lambda crumb, hint: None,
        traces_sample_rate=0,
        transport=transport,
    )


@contextlib.contextmanager
def request_scope(*, request_id: str, method: str, path: str) -> Iterator[None]:
    """While a request runs, errors it reports carry its id, method and redacted path (and nothing of its data)."""
    import sentry_sdk

    if not sentry_sdk.get_client().is_active():
        yield
        return
    with sentry_sdk.isolation_scope() as scope:
        scope.set_tag("request_id", request_id)
        scope.set_tag("request", f"{method} {redact(path)}")
        yield
