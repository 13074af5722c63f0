"""Email addresses the whole system can store, match and send to, checked the same way everywhere.

Django's own validator accepts addresses that no mail server will take from us (quoted local
parts such as "a,b"@example.org, non-ASCII local parts) and Python's IDNA codec silently drops
invisible characters from a domain, so a zero-width space would make a second patient out of
one address. One check serves the booking form, the patient's record and the outbox.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# RFC 5322 dot-atom: what every SMTP server accepts before the @ without quoting or SMTPUTF8.
DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
MESSAGE = "Enter an email address like name@example.org (plain letters, numbers and . _ - + before the @)."


def invisible_or_control(text: str) -> bool:
    """True if the text holds a control, format (zero-width, bidi), surrogate, private or unassigned character."""
    return any(unicodedata.category(char).startswith("C") for char in text)


def clean_address(value: str | None) -> str:
    """The address, trimmed and lower-cased, if mail can be sent to it; ValidationError if not."""
    address = (value or "").strip()
    local, at, domain = address.rpartition("@")
    if not at or invisible_or_control(address) or any(char.isspace() for char in address):
        raise ValidationError(MESSAGE, code="invalid")
    if len(address) > 254 or len(local) > 64 or not DOT_ATOM.match(local):
        raise ValidationError(MESSAGE, code="invalid")
    try:
        ascii_domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(MESSAGE, code="invalid") from None
    validate_email(f"{local}@{ascii_domain}")
    return f"{local}@{domain}".lower()


def validate_address(value: str) -> None:
    """A model or form field validator: the stored address must be one `clean_address` keeps as it is."""
    if clean_address(value) != value.strip().lower():
        raise ValidationError(MESSAGE, code="invalid")
