"""A local mailbox for trying the site: with DEBUG on, each email sent is kept as a file under var/mailbox/.

`make run` uses it, so a person trying the site reads the emails at /dev/mail/ and follows their
real links (the console shows no link that works). Never used outside DEBUG: settings choose it
only then, and the pages answer 404 otherwise.
"""

import email
import email.policy
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

NAME = "{stamp}-{unique}.eml"


def folder() -> Path:
    return Path(settings.VAR_DIR) / "mailbox"


class MailboxBackend(BaseEmailBackend):
    """Django's email backend interface, writing each message to var/mailbox/ instead of sending it."""

    def send_messages(self, email_messages):
        folder().mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = NAME.format(stamp=time.time_ns(), unique=uuid.uuid4().hex[:8])
            (folder() / name).write_bytes(message.message().as_bytes())
        return len(email_messages)


@dataclass
class Kept:
    """One email in the mailbox, as a person reads it."""

    key: str
    subject: str
    to: str
    date: str
    text: str
    html: str


def read(path: Path) -> Kept:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return Kept(
        key=path.stem,
        subject=str(message["Subject"]),
        to=str(message["To"]),
        date=str(message["Date"]),
        text=text.get_content() if text else "",
        html=html.get_content() if html else "",
    )


def newest(limit: int = 50) -> list[Kept]:
    """The last emails kept, newest first."""
    return [read(path) for path in sorted(folder().glob("*.eml"), reverse=True)[:limit]]


def find(key: str) -> Kept | None:
    path = folder() / f"{key}.eml"
    return read(path) if key.replace("-", "").isalnum() and path.is_file() else None
