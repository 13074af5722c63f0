"""Server errors mailed to ADMINS through the outbox: what failed and where, never who or what they typed.

Django's own AdminEmailHandler sends at once (no outbox, no retry) and puts the request in the
email: cookies, headers and the path with any token in it. This report holds the error's type,
the frames it went through, the method and the path with tokens redacted, and the request id to
find the log lines by. One report per error and place an hour, however often it happens.
"""

import datetime
import hashlib
import logging
import traceback
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..lib import log_context
from ..lib.log_redaction import redact

KIND = "server_error"


def frames(exc_info: Any) -> list[str]:
    """'file:line in function' for each frame: the code's path, none of its values or messages."""
    return [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in traceback.extract_tb(exc_info[2])]


class OutboxErrorReports(logging.Handler):
    """A logging handler (django.request, celery.app.trace at ERROR) that queues the report for each admin."""

    def emit(self, record: logging.LogRecord) -> None:
        if not settings.ADMINS or not record.exc_info:
            return
        request = getattr(record, "request", None)
        where = frames(record.exc_info)
        error = record.exc_info[0].__name__ if record.exc_info[0] else "Error"
        now = timezone.now()
        signature = hashlib.sha256(f"{error}:{where[-1:]}".encode()).hexdigest()[:16]
        hour = now.astimezone(datetime.UTC).strftime("%Y%m%d%H")
        context = {
            "error": error,
            "frames": where,
            "request": f"{request.method} {redact(request.path)}" if request is not None else "",
            "ids": log_context.current(),
            "at": now,
        }
        # Imported here: logging is configured before the models can be loaded.
        from . import outbox

        try:
            for _, address in settings.ADMINS:
                outbox.queue_email(
                    to=address,
                    template=KIND,
                    context=context,
                    kind=KIND,
                    cause=f"{KIND}:{signature}",
                    idempotency_key=f"{KIND}:{signature}:{hour}:{address}",
                    now=now,
                )
        except Exception:  # noqa: S110 (the error itself is in the log already; a broken report must not add noise)
            pass
