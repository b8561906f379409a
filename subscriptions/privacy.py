"""Subscriptions in the personal-data export and erase (moderation.privacy asks)."""

from django.dispatch import receiver

from moderation.privacy import erasing, exporting
from subscriptions.models import Address, Email
from subscriptions.services import describe, normalized


def _when(value):
    return value.isoformat() if value else None


@receiver(exporting, dispatch_uid="subscriptions.export")
def export_subscriptions(sender, email: str, **kwargs) -> dict:
    address = Address.objects.filter(email=normalized(email)).first()
    if address is None:
        return {"subscriptions": []}
    subscriptions = address.subscriptions.select_related("comment__essay", "essay")
    sent = Email.objects.filter(address=address).order_by("created_at")
    return {
        "email_address": {
            "email": address.email,
            "first_confirmed_at": _when(address.confirmed_at),
            "turned_off": address.get_disabled_reason_display() or None,
        },
        "subscriptions": [
            {
                "what": describe(s), "asked_at": _when(s.created_at),
                "confirmed_at": _when(s.confirmed_at), "stopped_at": _when(s.ended_at),
                "asked_from_ip": s.requested_ip,
                "skipped_warnings": [w.name for w in s.excluded_warnings.all()],
            }
            for s in subscriptions.prefetch_related("excluded_warnings")
        ],
        "emails_sent": [
            {"kind": e.get_kind_display(), "at": _when(e.sent_at or e.created_at),
             "state": e.get_state_display()}
            for e in sent
        ],
    }  # fmt: skip


@receiver(erasing, dispatch_uid="subscriptions.erase")
def erase_subscriptions(sender, email: str, dry_run: bool = False, **kwargs) -> dict:
    """Forget the address, what it asked for and what we sent it: the links in old emails
    stop working, and nothing more is sent."""
    addresses = Address.objects.filter(email=normalized(email))
    count = sum(a.subscriptions.count() for a in addresses)
    if not dry_run:
        addresses.delete()
    return {"subscriptions": count}
