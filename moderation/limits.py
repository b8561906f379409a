"""The flood limit shared by comments and reports: at most MODERATION_RATE sends per IP
address per MODERATION_RATE_WINDOW seconds, counted in the shared cache so every web
process sees the same count."""

import ipaddress

from django.conf import settings
from django.core.cache import cache


def address_key(ip: str | None) -> str | None:
    """The unit one sender is counted by: an IPv4 address, or an IPv6 /64 network (one
    connection usually gets a whole /64, so single IPv6 addresses cost nothing to vary)."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def over_rate_limit(ip: str | None) -> bool:
    """Count one send from this address; True when it is over the limit."""
    ip = address_key(ip)
    if not ip or settings.MODERATION_RATE <= 0:
        return False
    key = f"moderation:rate:{ip}"
    if cache.add(key, 1, timeout=settings.MODERATION_RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=settings.MODERATION_RATE_WINDOW)
        return False
    return count > settings.MODERATION_RATE
