"""The client's IP address as our own proxies saw it (login lockouts and rate limits key on it)."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest) -> str:
    """The address of whoever connected, unless that is one of our proxies: then the client it names.

    X-Forwarded-For is read only when the connection comes from a TRUSTED_PROXIES address, so a
    client reaching gunicorn directly cannot choose its own address. Through proxies, the entries
    are read from the right (the nearest hop) past our own proxies; the first other address is the
    client as our edge saw it. Entries further left are the client's own say-so and are never used.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted_proxy(peer):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted_proxy(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # not an address: our proxy did not write it
    return peer
