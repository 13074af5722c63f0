"""Phone numbers: one spelling (E.164) for every stored number, and the forms a search may type."""

import contextlib
import re

import phonenumbers
from django.conf import settings

INVALID_MESSAGE = "Please enter a phone number we can call, for example 07911 123456."
# Characters people type between digits: spaces, dashes, dots, brackets, slashes.
_SEPARATORS = re.compile(r"[\s\-./()]+")


class InvalidPhone(ValueError):
    """Not a number anyone could call."""


def normalise_phone(raw: str, region: str | None = None) -> str:
    """The number in E.164 (+447911123456), read in the clinic's region (CLINIC_PHONE_REGION) when national.

    Raises InvalidPhone for anything that is not a valid number.
    """
    try:
        number = phonenumbers.parse(raw.strip(), region or settings.CLINIC_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(raw) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_variants(query: str) -> list[str]:
    """What to look for in stored (E.164) numbers when someone types `query` in a search box.

    A whole number in any format (07911 123456, +44 7911 123456, 0044 7911 123456) gives its E.164
    form; a fragment of digits ("123 456") gives the digits without separators, so it still matches
    part of a stored number. Empty when the query holds no phone-like text.
    """
    compact = _SEPARATORS.sub("", query.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not re.fullmatch(r"\+?\d{3,}", compact):
        return []
    variants = [compact]
    with contextlib.suppress(InvalidPhone):
        variants.insert(0, normalise_phone(compact))
    if compact.startswith("0"):
        variants.append(compact[1:])  # a national number's digits sit after the country code
    return list(dict.fromkeys(variants))
