"""Absolute links and the site's host: every one built from SITE_URL, never from a request's Host header."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """A link for an email or a calendar file: SITE_URL plus a path."""
    return settings.SITE_URL + path


def absolute_reverse(name: str, *args: object) -> str:
    """The absolute link of a named URL."""
    return absolute_url(reverse(name, args=args))


def site_host() -> str:
    """The site's host name (Message-IDs, calendar UIDs)."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
