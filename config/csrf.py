"""CSRF secrets and masks drawn in one system call instead of one per character.

Every page with a form carries a CSRF token, freshly masked for each response (Django's
defence against BREACH), and a first visit also gets a new secret. Django draws each of
their 32 characters with `secrets.choice`, a `getrandom` system call per character: 64
calls, about 160 µs of a warm essay page that otherwise takes under a millisecond.

`random_csrf_string` reads the same source (`os.urandom`) once per string and keeps only
the bytes below the largest multiple of the alphabet's size (rejection sampling), so every
character is uniform over Django's alphabet, independent of the others, exactly as with
`secrets.choice`. The token format, the cookie and every check are Django's, unchanged.
"""

import os

from django.middleware import csrf


def random_csrf_string() -> str:
    chars = csrf.CSRF_ALLOWED_CHARS
    size, length = len(chars), csrf.CSRF_SECRET_LENGTH
    limit = 256 - 256 % size  # bytes from `limit` up would favour the first characters
    picked: list[str] = []
    while len(picked) < length:
        picked += [chars[b % size] for b in os.urandom(2 * length) if b < limit]
    return "".join(picked[:length])


def install() -> None:
    """Called once at start-up (blog's AppConfig.ready). Fails loudly if Django no longer
    draws its CSRF strings through this function, rather than silently doing nothing."""
    if not callable(getattr(csrf, "_get_new_csrf_string", None)):
        raise RuntimeError("Django no longer has csrf._get_new_csrf_string: see config/csrf.py")
    csrf._get_new_csrf_string = random_csrf_string
