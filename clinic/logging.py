"""Logging filters: the request path of a patient link is a credential, so it never reaches a log."""

import logging
import re

TOKEN_PATH = re.compile(r"/(manage|aftercare|email/unsubscribe)/[^/\s]+")


def redact(text):
    return TOKEN_PATH.sub(lambda m: f"/{m.group(1)}/[token]", text)


class RedactTokens(logging.Filter):
    """Replace the token in /manage/<token>/… (and the other patient links) with [token]."""

    def filter(self, record):
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True
