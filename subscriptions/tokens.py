"""The signed links we mail: confirm a subscription, and unsubscribe.

A confirmation link names one subscription and the secret it was given, is good for
SUBSCRIPTIONS_CONFIRM_DAYS, and works once (the secret is emptied when it is used). An
unsubscribe link never expires (mail is read years later) and names its address by id and
its random key, so a link outlives nothing: an erased address's links die with it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "subscriptions.confirm"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"


class BadLink(Exception):
    """A link that is forged, damaged or out of date; `message` says which, for the page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


FORGED = (
    "This link is not one we sent, or it was cut short when it was copied. Open the link "
    "from the email again, or copy all of it."
)
EXPIRED = (
    "This confirmation link has expired: links are good for {days} days. Ask again from "
    "the site and we will send a new one."
)


def confirm_token(subscription_id: int, nonce: str) -> str:
    return signing.dumps([subscription_id, nonce], salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> tuple[int, str]:
    days = settings.SUBSCRIPTIONS_CONFIRM_DAYS
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=days * 24 * 3600)
    except signing.SignatureExpired:
        raise BadLink(EXPIRED.format(days=days)) from None
    except signing.BadSignature:
        raise BadLink(FORGED) from None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        raise BadLink(FORGED)
    return value[0], str(value[1])


@dataclass(frozen=True)
class Unsubscribe:
    address_id: int
    key: str
    subscription_ids: tuple[int, ...]  # empty: everything the address gets


def unsubscribe_token(address, subscription_ids=()) -> str:
    return signing.dumps(
        [address.pk, address.key, sorted(set(subscription_ids))], salt=UNSUBSCRIBE_SALT,
        compress=True,
    )  # fmt: skip


def read_unsubscribe_token(token: str) -> Unsubscribe:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise BadLink(FORGED) from None
    if not (
        isinstance(value, list) and len(value) == 3 and isinstance(value[0], int)
        and isinstance(value[2], list) and all(isinstance(i, int) for i in value[2])
    ):  # fmt: skip
        raise BadLink(FORGED)
    return Unsubscribe(value[0], str(value[1]), tuple(value[2]))
