"""Bans: a moderator keeps one author out for a while, by email, address, range or domain.

A ban is silent. The banned writer's new comments are screened as spam with the ban named
in their decisions, and the writer sees them as any held comment ("waiting for a
moderator"); reports sent from a banned address are thanked and not counted. Saying
"you are banned" would tell a harasser exactly which of their names and addresses to
change, while the quiet version costs them time and shows nothing to anyone else.
"""

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, validate_domain_name
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from moderation.models import Ban, Decision
from moderation.refusals import Refused, end_time

Kind = Ban.Kind
# How long a ban set from the queue lasts; None is permanent.
DURATIONS = {
    "day": ("A day", timedelta(days=1)),
    "week": ("A week", timedelta(days=7)),
    "month": ("A month", timedelta(days=30)),
    "permanent": ("Permanent", None),
}
# A range set from a comment's address: its /24 (IPv4) or /64 (IPv6).
RANGE_PREFIX = {4: 24, 6: 64}
# Wider than these would shut out a whole provider's readers.
WIDEST_PREFIX = {4: 16, 6: 32}


class BanRefused(Refused):
    pass


@dataclass(frozen=True)
class BanChoice:
    kind: str
    value: str
    label: str


def commenter_key(email: str, name: str) -> str:
    """Who a comment is from, for notes and the commenter page: the email, else the name."""
    return f"email:{email.casefold()}" if email else f"name:{name}"


def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address as comments store theirs: IPv4-mapped IPv6 as IPv4 (blog.http); else
    a ban on ::ffff:a.b.c.d would never meet the a.b.c.d it means. ValueError if none."""
    address = ipaddress.ip_address(ip)
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """A network, an IPv4-mapped one (::ffff:a.b.c.0/120) as IPv4. ValueError if none."""
    network = ipaddress.ip_network(value, strict=False)
    mapped = network.network_address.ipv4_mapped if network.version == 6 else None
    if mapped is not None and network.prefixlen >= 96:
        return ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}", strict=False)
    return network


def range_of(ip: str) -> str:
    address = _address(ip)
    return str(ipaddress.ip_network(f"{address}/{RANGE_PREFIX[address.version]}", strict=False))


def choices_for(comment) -> list[BanChoice]:
    """The bans a moderator can set from this comment, narrowest first."""
    found = []
    if comment.author_email:
        email = comment.author_email.casefold()
        found.append(BanChoice(Kind.EMAIL, email, f"Email {email}"))
    if comment.ip_address:
        ip, network = str(_address(comment.ip_address)), range_of(comment.ip_address)
        found.append(BanChoice(Kind.IP, ip, f"IP address {ip}"))
        found.append(BanChoice(Kind.RANGE, network, f"IP range {network}"))
    if comment.author_email and "@" in comment.author_email:
        domain = comment.author_email.rpartition("@")[2].casefold()
        found.append(BanChoice(Kind.DOMAIN, domain, f"Email domain @{domain}"))
    return found


def normalise(kind: str, value: str) -> str:
    """The stored form of a ban's value, or BanRefused saying what is wrong with it."""
    value = (value or "").strip()
    try:
        if kind == Kind.EMAIL:
            EmailValidator()(value)
            return value.casefold()
        if kind == Kind.DOMAIN:
            domain = value.removeprefix("@").casefold()
            validate_domain_name(domain)
            if "." not in domain:
                raise ValidationError("no dot")
            return domain
        if kind == Kind.IP:
            return str(_address(value))
        if kind == Kind.RANGE:
            network = _network(value)
            widest = WIDEST_PREFIX[network.version]
            if network.prefixlen < widest:
                raise BanRefused(
                    f"{network} is wider than /{widest}: it would keep out far more readers "
                    "than the one you mean. Ban a narrower range."
                )
            return str(network)
    except (ValidationError, ValueError):
        what = Kind(kind).label.lower()
        raise BanRefused(f"{value or 'An empty value'} is not a valid {what}.") from None
    raise BanRefused("Choose what to ban: an email, an address, a range or a domain.")


def _networks_holding(ip: str) -> list[str]:
    """Every network a range ban could name that holds this address (or network)."""
    network = _network(ip)
    widest = WIDEST_PREFIX[network.version]
    return [str(network.supernet(new_prefix=p)) for p in range(widest, network.prefixlen + 1)]


def _covering(*, emails=(), ip: str | None = None, network: str | None = None) -> Q:
    """Bans that apply to any of these emails, this address, or all of this network."""
    match = Q(pk__in=[])
    emails = [e.casefold() for e in emails if e]
    if emails:
        match |= Q(kind=Kind.EMAIL, value__in=emails)
        match |= Q(kind=Kind.DOMAIN, value__in={e.rpartition("@")[2] for e in emails})
    if ip:
        try:
            address = str(_address(ip))
        except ValueError:
            address = None
        if address:
            match |= Q(kind=Kind.IP, value=address) | Q(
                kind=Kind.RANGE, value__in=_networks_holding(address)
            )
    if network:
        match |= Q(kind=Kind.RANGE, value__in=_networks_holding(network))
    return match


def active_ban(email: str = "", ip: str | None = None, *, now=None) -> Ban | None:
    """The ban in force on this email or address, if any. One query."""
    if not email and not ip:
        return None
    return (
        Ban.objects.active(now=now)
        .filter(_covering(emails=[email], ip=ip))
        .select_related("created_by")
        .order_by("created_at", "id")
        .first()
    )


def active_bans_for(comments, *, now=None) -> dict[int, Ban]:
    """The ban in force on each of these comments' authors (one query for them all)."""
    emails = [c.author_email for c in comments if c.author_email]
    match = _covering(emails=emails)
    for c in comments:
        if c.ip_address:
            match |= _covering(ip=c.ip_address)
    if not emails and not any(c.ip_address for c in comments):
        return {}
    bans = list(Ban.objects.active(now=now).filter(match).select_related("created_by"))
    found = {}
    for comment in comments:
        for ban in bans:
            if applies(ban, comment.author_email, comment.ip_address):
                found[comment.pk] = ban
                break
    return found


def applies(ban: Ban, email: str, ip: str | None) -> bool:
    email = (email or "").casefold()
    if ban.kind == Kind.EMAIL:
        return email == ban.value
    if ban.kind == Kind.DOMAIN:
        return bool(email) and email.rpartition("@")[2] == ban.value
    if not ip:
        return False
    try:
        address = _address(ip)
        if ban.kind == Kind.IP:
            return address == _address(ban.value)
        return address in _network(ban.value)
    except ValueError:
        return False


def _refusal(existing: Ban, *, of: str) -> BanRefused:
    who = existing.created_by.get_username() if existing.created_by_id else "someone"
    return BanRefused(
        f"{of} is already covered by a ban on {existing.label}, set by {who} "
        f"{existing.until}. Nothing was changed."
    )


def set_ban(*, kind, value, reason, moderator, duration=None, expires_at=None, comment=None,
            now=None) -> Ban:  # fmt: skip
    """Ban `value`; BanRefused says why not (bad value, no reason, already banned)."""
    now = now or timezone.now()
    reason = " ".join((reason or "").split())[:500]
    if duration is not None:
        try:
            expires_at = end_time(DURATIONS, duration, now, what="ban")
        except Refused as exc:
            raise BanRefused(exc.message) from None
    if expires_at is not None and expires_at <= now:
        raise BanRefused("That expiry is in the past: choose a later date, or a permanent ban.")
    value = normalise(kind, value)
    if not reason:
        raise BanRefused("Give a reason for the ban: the next moderator will want to know.")
    subject = Ban(kind=kind, value=value).label
    with transaction.atomic():
        # A ban past its expiry is over: mark it so, making room for the new one.
        Ban.objects.filter(kind=kind, value=value, lifted_at__isnull=True,
                           expires_at__lte=now).update(lifted_at=now)  # fmt: skip
        cover = {
            Kind.EMAIL: lambda: _covering(emails=[value]),  # the address, or its domain
            Kind.DOMAIN: lambda: Q(kind=Kind.DOMAIN, value=value),
            Kind.IP: lambda: _covering(ip=value),  # the address, or a range holding it
        }.get(kind, lambda: _covering(network=value))()  # a range holding this one
        existing = Ban.objects.active(now=now).filter(cover).select_related("created_by").first()
        if existing is not None:
            raise _refusal(existing, of=subject)
        try:
            with transaction.atomic():
                ban = Ban.objects.create(
                    kind=kind, value=value, reason=reason, expires_at=expires_at,
                    comment=comment, created_by=moderator,
                )  # fmt: skip
        except IntegrityError:  # another moderator banned the same author a moment ago
            existing = (
                Ban.objects.filter(kind=kind, value=value, lifted_at__isnull=True)
                .select_related("created_by")
                .first()
            )
            if existing is None:
                raise BanRefused("Someone changed this ban a moment ago; try again.") from None
            raise _refusal(existing, of=subject) from None
        if comment is not None:
            Decision.objects.create(
                comment=comment, step=Decision.Step.BAN, outcome=Decision.Outcome.SET,
                actor=moderator, reason=f"{subject} {ban.until}: {reason}"[:500],
                details={"ban": ban.pk},
            )  # fmt: skip
    return ban


def lift_ban(ban_id: int, *, moderator, now=None) -> Ban:
    """End a ban now; BanRefused if it has already ended."""
    now = now or timezone.now()
    lifted = (
        Ban.objects.active(now=now).filter(pk=ban_id).update(lifted_at=now, lifted_by=moderator)
    )
    ban = Ban.objects.filter(pk=ban_id).select_related("lifted_by").first()
    if ban is None:
        raise BanRefused("That ban no longer exists.")
    if not lifted:
        if ban.lifted_at is None or (ban.lifted_by_id is None and ban.expires_at
                                     and ban.expires_at <= now):  # fmt: skip
            raise BanRefused(f"The ban on {ban.label} had already expired.")
        who = ban.lifted_by.get_username() if ban.lifted_by_id else "someone"
        raise BanRefused(f"The ban on {ban.label} was already lifted by {who}.")
    return ban
