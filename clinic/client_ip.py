"""The client's IP address as our own proxies saw it (login lockouts key on it)."""

from django.conf import settings


def client_ip(request):
    """The address the outermost trusted proxy appended to X-Forwarded-For, else REMOTE_ADDR.

    With TRUSTED_PROXY_COUNT proxies in front, the last that many entries were written by them;
    the first of those is the client as our edge saw it. Entries further left came from the
    client and may be forged, so they are never used.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count > 0 and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
