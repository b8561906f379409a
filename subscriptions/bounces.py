"""Addresses that bounce hard, or whose owners mark our mail as spam, get no more mail.

Two ways in: `manage.py disable_addresses` (an operator pastes what the mail server's
bounce reports name), and, where mail goes through django-anymail, its tracking signal
(the provider's webhook: https://anymail.dev/en/stable/sending/tracking/).
"""

import logging

from subscriptions.models import Address
from subscriptions.services import disable_address

logger = logging.getLogger(__name__)

# Anymail's normalized event types that mean "do not mail this address again". A soft
# bounce ("deferred") is retried by the provider and changes nothing here.
ANYMAIL_EVENTS = {
    "bounced": Address.Disabled.BOUNCED,
    "rejected": Address.Disabled.BOUNCED,
    "complained": Address.Disabled.COMPLAINED,
    "unsubscribed": Address.Disabled.COMPLAINED,
}


def anymail_tracking(sender, event, esp_name, **kwargs):
    reason = ANYMAIL_EVENTS.get(getattr(event, "event_type", ""))
    recipient = getattr(event, "recipient", "") or ""
    if reason and recipient and disable_address(recipient, reason):
        logger.info("address turned off after %s from %s", event.event_type, esp_name)


def connect_anymail() -> bool:
    """Listen to anymail's tracking signal when anymail is installed; whether it is."""
    try:
        from anymail.signals import tracking
    except ImportError:
        return False
    tracking.connect(anymail_tracking, weak=False, dispatch_uid="subscriptions.anymail")
    return True
