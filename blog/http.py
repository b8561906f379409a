"""Reading what a request sends: the client's address, ids from query strings and forms,
text without control characters, and whether the client asked for JSON. Every app may use
these."""

import ipaddress
import re
from functools import lru_cache

from django.conf import settings

# Control characters a browser never needs to send (NUL included: PostgreSQL refuses it in
# text), and lone surrogates, which cannot be stored as UTF-8. Tab and newlines stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def positive_id(value) -> int | None:
    """A row id or page number from a query string, form or URL: a positive integer that
    fits a database integer, else None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def strip_control(text: str) -> str:
    """`text` without control characters and lone surrogates (tabs and newlines stay)."""
    return _CONTROL.sub("", text)


def wants_json(request) -> bool:
    """Inline dialogs (hiding a comment, reporting one) ask for JSON; plain form posts get
    pages."""
    return "application/json" in request.headers.get("accept", "")


# A request passes through at most this many trusted proxies (a CDN, a load balancer,
# nginx); more in a row means a loop or a forged chain, and the answer is REMOTE_ADDR.
MAX_TRUSTED_HOPS = 8

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request) -> str | None:
    """The reader's IP address, the one every per-address rule uses: REMOTE_ADDR, or, when
    that is a trusted proxy (TRUSTED_PROXIES), the rightmost X-Forwarded-For address that
    is not itself a trusted proxy. None when REMOTE_ADDR is not an address.

    Each proxy appends the address it saw, so reading from the right stops at the first
    address no trusted proxy vouches for: whatever a client writes to the left of it is
    never read. A value a trusted proxy should not have passed on (garbage, an empty
    item, a port, brackets, more than MAX_TRUSTED_HOPS trusted hops) gives REMOTE_ADDR,
    the proxy's own address: such requests share one count rather than choosing theirs.
    """
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    trusted = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(remote, trusted):
        return str(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded.strip():
        return str(remote)
    hops = forwarded.split(",")
    nearest = remote
    for position, item in enumerate(reversed(hops)):
        if position >= MAX_TRUSTED_HOPS:
            return str(remote)
        hop = _address(item.strip())
        if hop is None:
            return str(remote)
        if not _is_trusted(hop, trusted):
            return str(hop)
        nearest = hop
    # Every hop was a trusted address: the request began on a proxy's own network.
    return str(nearest)


def _address(text: str) -> Address | None:
    """An IP address written plainly (no port, brackets or zone), IPv4-mapped IPv6 as
    IPv4, else None."""
    if not text or len(text) > 45 or "%" in text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # config/settings.py has already refused entries that are not addresses or ranges.
    return tuple(ipaddress.ip_network(entry) for entry in entries)


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)
