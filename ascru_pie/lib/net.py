"""The visitor's address, trusting proxy headers only from the proxies we run.

X-Forwarded-For is written by whoever sends the request, so on its own it proves nothing:
a visitor can put any address there to dodge a rate limit. Only when the request came
straight from one of settings.TRUSTED_PROXIES (addresses or networks) do we read it, and
then from the right: each trusted proxy appends the address it saw, so the right-most entry
that is not itself one of our proxies is the visitor.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    """The address of the person making the request (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _trusted(remote, networks):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if not _trusted(address, networks):
            return address
    # Every hop was one of ours (or the header was missing): the nearest is all we know.
    return remote
