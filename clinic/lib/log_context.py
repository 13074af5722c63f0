"""What each log line says about where it came from (request, staff member, task, email), and JSON lines.

`LOG_FORMAT=json` gives one JSON object per line for a log service to index. Either way the
context holds ids only: never a token, an address or clinical text.
"""

import contextlib
import contextvars
import datetime
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse

from . import error_tracking
from .log_redaction import redact

_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("log_context", default={})  # noqa: B039
# A proxy's request id is kept only if it looks like one (it goes into logs and a response header).
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


@contextlib.contextmanager
def bound(**values: Any) -> Iterator[None]:
    """Add these ids to every log line written inside the block."""
    token = _context.set({**_context.get(), **values})
    try:
        yield
    finally:
        _context.reset(token)


def push(**values: Any) -> contextvars.Token[dict[str, Any]]:
    """Like `bound`, for code that starts and ends in two places (Celery's task signals); undo with `pop`."""
    return _context.set({**_context.get(), **values})


def pop(token: contextvars.Token[dict[str, Any]]) -> None:
    _context.reset(token)


def current() -> dict[str, Any]:
    return dict(_context.get())


def ids_of(record: logging.LogRecord) -> dict[str, Any]:
    """The ids to write with a record: those bound now, or its request's (Django logs a 404 or 500 after
    the middleware has returned, with the request attached)."""
    return {**getattr(getattr(record, "request", None), "log_ids", {}), **current()}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the bound ids, and a redacted traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            **ids_of(record),
        }
        if record.exc_info:
            line["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


class ContextFormatter(logging.Formatter):
    """The plain format with the bound ids appended: "... message [request_id=… user_id=…]"."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = " ".join(f"{key}={value}" for key, value in ids_of(record).items())
        return f"{text} [{ids}]" if ids else text


def request_id_of(request: HttpRequest) -> str:
    """The proxy's X-Request-ID when it is a sane one, or a new id."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class RequestContextMiddleware:
    """Every log line of a request carries its id (the proxy's X-Request-ID, or a new one) and, for staff, their id.

    The id goes back in the response's X-Request-ID, so a person reporting a problem can quote it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        values: dict[str, Any] = {"request_id": request_id}
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            values["user_id"] = user.pk
        request.log_ids = values  # type: ignore[attr-defined]  # read back by ids_of for Django's own lines
        scope = error_tracking.request_scope(request_id=request_id, method=request.method or "", path=request.path)
        with bound(**values), scope:
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
