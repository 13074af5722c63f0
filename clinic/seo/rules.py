"""Which pages search engines may list, and each page's canonical address.

Token pages, booking steps after the first, the staff admin, the local mailbox and search results
carry `<meta name="robots" content="noindex">` (templates/base.html); robots.txt keeps crawlers out of
most of them in the first place.
"""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from clinic.lib.token_pages import is_private_page


def noindex(path: str) -> bool:
    """True for a page search engines must not list."""
    if path == reverse("booking:choose"):
        return False  # the first booking step is the site's call to action: listed, with its canonical address
    return is_private_page(path) or path.startswith(reverse("treatments:search"))


def seo(request: HttpRequest) -> dict[str, object]:
    """For every page: noindex, or the canonical address (absolute, from SITE_URL, without the query string)."""
    if noindex(request.path):
        return {"noindex": True}
    return {"noindex": False, "canonical_url": settings.SITE_URL + request.path}
