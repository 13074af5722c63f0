"""The bytes an outbox email goes over SMTP as, written directly rather than through Python's `email` generator.

Django builds a tree of `email.mime` objects and flattens it with the compat32 generator, which
re-parses and folds every header: most of the time a batch spends per message. The mail from
`clinic.mail.sending.build_message` has a fixed shape (a plain-text body, perhaps an HTML
alternative, perhaps attachments, a few known headers), so its MIME text is written here straight
from the Django message's fields, the same structure and encodings Django would choose (tested
with Python's parser: tests/clinic/mail/test_mime.py). Header values are checked for line breaks
as Django checks them (BadHeaderError, a ValueError: that message can never go).
"""

import base64
import quopri
import random
import sys
from email.header import Header
from email.utils import encode_rfc2231, formatdate, make_msgid
from functools import lru_cache

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME

LINE_LIMIT = 998  # RFC 5322: longer lines must be encoded (Django then uses quoted-printable)
LONG_HEADER = 900  # ASCII header values up to this long are written unfolded (within LINE_LIMIT)
CRLF = "\r\n"


def address(value: str) -> str:
    """An address (maybe with a display name) as a header holds it: IDNA domain, RFC 2047 name (Django's rules)."""
    if value.isascii() and "<" not in value and '"' not in value and "," not in value:
        return _checked("address", value)
    return _sanitized(value)


@lru_cache(maxsize=4)  # the clinic's From and Reply-To: the same for every message
def _sanitized(value: str) -> str:
    return _checked("address", sanitize_address(value, "utf-8"))


def _checked(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for header {name!r})")
    return value


def _header(name: str, value: str) -> str:
    value = _checked(name, value)
    if not value.isascii():
        value = Header(value, "utf-8", header_name=name).encode(linesep=CRLF)
    elif len(value) > LONG_HEADER:
        value = Header(value, "us-ascii", header_name=name).encode(linesep=CRLF)
    return f"{name}: {value}{CRLF}"


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", CRLF)


def _text_part(text: str, subtype: str, extra: str = "") -> str:
    """A text/* part as Django's SafeMIMEText writes it: UTF-8, 7bit/8bit, quoted-printable if a line is too long."""
    raw = text.encode("utf-8", errors="surrogateescape")
    if any(len(line) > LINE_LIMIT for line in raw.splitlines()):
        encoding, body = "quoted-printable", quopri.encodestring(raw).decode("ascii")
    else:
        encoding, body = ("7bit" if text.isascii() else "8bit"), text
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}MIME-Version: 1.0{CRLF}'
        f"Content-Transfer-Encoding: {encoding}{CRLF}{extra}{CRLF}{_crlf(body)}"
    )


def _disposition(filename: str) -> str:
    if filename.isascii():
        quoted = filename.replace("\\", "\\\\").replace('"', '\\"')
        return f'Content-Disposition: attachment; filename="{_checked("filename", quoted)}"{CRLF}'
    return f"Content-Disposition: attachment; filename*={encode_rfc2231(filename, 'utf-8')}{CRLF}"


def _attachment(filename: str, content: str | bytes, mimetype: str) -> str:
    basetype, subtype = mimetype.split("/", 1)
    if basetype == "text" and isinstance(content, str):
        return _text_part(content, subtype, _disposition(filename))
    data = content.encode() if isinstance(content, str) else content
    encoded = base64.encodebytes(data).decode("ascii")
    return (
        f"Content-Type: {mimetype}{CRLF}MIME-Version: 1.0{CRLF}Content-Transfer-Encoding: base64{CRLF}"
        f"{_disposition(filename)}{CRLF}{_crlf(encoded)}"
    )


def _multipart(subtype: str, parts: list[str], headers: str = "") -> str:
    body = CRLF.join(parts)
    boundary = f"==============={random.randrange(sys.maxsize):019d}=="  # noqa: S311 (a separator, not a secret)
    while boundary in body:
        boundary = f"==============={random.randrange(sys.maxsize):019d}=="  # noqa: S311
    inner = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts)
    return (
        f'Content-Type: multipart/{subtype}; boundary="{boundary}"{CRLF}MIME-Version: 1.0{CRLF}{headers}{CRLF}'
        f"{inner}--{boundary}--{CRLF}"
    )


def wire_bytes(message: EmailMultiAlternatives) -> bytes:
    """The message as `message.message().as_bytes(linesep="\\r\\n")` would give it, written directly."""
    headers = [_header("Subject", message.subject), f"From: {address(message.from_email)}{CRLF}"]
    if message.to:
        headers.append(f"To: {', '.join(address(to) for to in message.to)}{CRLF}")
    if message.reply_to:
        headers.append(f"Reply-To: {', '.join(address(to) for to in message.reply_to)}{CRLF}")
    names = {name.lower() for name in message.extra_headers}
    if "date" not in names:
        headers.append(f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}{CRLF}")
    if "message-id" not in names:
        headers.append(f"Message-ID: {make_msgid(domain=DNS_NAME)}{CRLF}")
    headers += [
        _header(name, value)
        for name, value in message.extra_headers.items()
        if name.lower() not in {"from", "to", "cc", "reply-to"}
    ]
    top = "".join(headers)
    body = _text_part(message.body, message.content_subtype)
    if message.alternatives:
        others = [_text_part(str(content), kind.split("/", 1)[1]) for content, kind in message.alternatives]
        body = _multipart("alternative", [body, *others])
    if message.attachments:
        parts = [body, *(_attachment(*attachment) for attachment in message.attachments)]
        whole = _multipart("mixed", parts, top)
    else:
        head, _, rest = body.partition(f"{CRLF}{CRLF}")
        whole = f"{head}{CRLF}{top}{CRLF}{rest}"
    return whole.encode("utf-8", errors="surrogateescape")
