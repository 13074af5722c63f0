"""Logging filters: a patient link's path is a credential and an address is personal data, so neither reaches a log."""

import logging
import re

from .token_pages import TOKEN_PREFIXES

# "/manage/<token>" and the other token pages: the prefix stays, the token goes.
TOKEN_PATH = re.compile("(" + "|".join(re.escape(prefix) for prefix in TOKEN_PREFIXES) + r")[^/\s?#\"']+")
# An address ends in a named domain: "redis://:**@127.0.0.1:6379" (a masked password) is not one.
EMAIL_ADDRESS = re.compile(r"\w[\w.!#$%&'*+/=?^`{|}~-]*@[\w-]+(\.[\w-]+)*\.[^\W\d_]{2,}")


def redact(text: str) -> str:
    """The text with patient-link tokens replaced by [token] and email addresses by [email]."""
    return EMAIL_ADDRESS.sub("[email]", TOKEN_PATH.sub(r"\1[token]", text))


class RedactTokens(logging.Filter):
    """Redact the message as it will be printed, whatever shape its arguments take.

    Records come with tuple arguments (Django), a single dict (Celery's "%(name)s" style), or
    none; the only safe way to redact every shape is to format the message first, then redact
    the result and drop the arguments. A record whose arguments do not fit its message is left
    for the handler to report as it would anyway.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's to report, as it would anyway
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
