"""Signed cookies that keep a reader's choices in their own browser, not on our side.

One way to write them (HttpOnly, SameSite=Lax, Secure in production) and one way to read
them: anything forged, expired, oversized or malformed reads as None.
"""

from django.conf import settings
from django.core import signing

MAX_COOKIE_LENGTH = 4096


def load_signed_cookie(request, name: str, *, salt: str, max_age: int):
    """The value stored under `name`, or None when it is missing or not genuine."""
    raw = request.COOKIES.get(name)
    if not raw or len(raw) > MAX_COOKIE_LENGTH:
        return None
    try:
        return signing.loads(raw, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def store_signed_cookie(response, name: str, value, *, salt: str, max_age: int) -> None:
    """Keep `value` (anything JSON can hold) in the reader's browser, signed."""
    response.set_cookie(
        name,
        signing.dumps(value, salt=salt, compress=True),
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
