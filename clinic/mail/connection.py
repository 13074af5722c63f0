"""One mail-server connection reused across messages: opened on first use, reopened after a failure.

Opening an SMTP connection (TCP, EHLO, STARTTLS, AUTH) and closing it (QUIT) cost more than
sending a small message over it, so a batch of emails shares one. A message the server refuses
(a 4xx/5xx reply to it) leaves the session usable (smtplib resets it); any other failure closes
the connection, and the next message opens a new one. Each message's outcome is still its own.
"""

import contextlib
import smtplib
import time
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from .mime import address, wire_bytes

# A refusal of this one message: the server answered, and the session goes on.
MESSAGE_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)
# A connection idle this long is checked with NOOP before it is used again (the server may have closed it).
IDLE_CHECK_SECONDS = 5.0


def _settings_key() -> tuple[Any, ...]:
    return (
        settings.EMAIL_BACKEND,
        getattr(settings, "EMAIL_HOST", ""),
        getattr(settings, "EMAIL_PORT", 0),
        getattr(settings, "EMAIL_HOST_USER", ""),
        getattr(settings, "EMAIL_USE_TLS", False),
        getattr(settings, "EMAIL_USE_SSL", False),
    )


class MailConnection:
    """Send messages one at a time over a shared connection; count how many times it was opened."""

    def __init__(self) -> None:
        self.backend: Any = None
        self.key: tuple[Any, ...] | None = None
        self.opened = 0
        self.last_used = 0.0

    def send(self, message: EmailMessage) -> None:
        """Send one message, opening (or reopening) the connection if needed; raise what the server said."""
        self._ready()
        try:
            smtp = getattr(self.backend, "connection", None) if isinstance(self.backend, SMTPBackend) else None
            if smtp is not None and isinstance(message, EmailMultiAlternatives):
                # Straight to smtplib with bytes written directly (clinic.mail.mime): Django's own path
                # spends most of a message's time building and flattening a tree of email.mime objects.
                recipients = [address(to) for to in message.recipients()]
                smtp.sendmail(address(message.from_email), recipients, wire_bytes(message))
            else:
                self.backend.send_messages([message])
        except MESSAGE_REFUSED:
            self.last_used = time.monotonic()
            raise
        except BaseException:
            self.close()
            raise
        self.last_used = time.monotonic()

    def _ready(self) -> None:
        key = _settings_key()
        if self.backend is not None and key != self.key:
            self.close()  # the settings changed (tests, a reload): never send through the old server
        if self.backend is not None and time.monotonic() - self.last_used > IDLE_CHECK_SECONDS:
            self._check_alive()
        if self.backend is None:
            backend = get_connection(fail_silently=False)
            backend.open()
            self.backend, self.key = backend, key
            self.opened += 1
            self.last_used = time.monotonic()

    def _check_alive(self) -> None:
        smtp = getattr(self.backend, "connection", None)
        if smtp is None:
            return
        try:
            code, _ = smtp.noop()
        except (smtplib.SMTPException, OSError):
            code = 0
        if code != 250:
            self.close()

    def close(self) -> None:
        """Close the connection (QUIT if the server still listens); never raises."""
        backend, self.backend, self.key = self.backend, None, None
        if backend is None:
            return
        try:
            backend.close()
        except Exception:  # noqa: BLE001 — a connection that is already broken is simply dropped
            smtp = getattr(backend, "connection", None)
            if smtp is not None:
                with contextlib.suppress(OSError):
                    smtp.close()
            backend.connection = None

    def __enter__(self) -> "MailConnection":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# A Celery worker process sends one row or one batch per task; it keeps its connection between tasks.
process_connection = MailConnection()
