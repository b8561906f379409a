"""CSRF strings drawn in one system call (config/csrf.py) are as random as Django's own."""

from collections import Counter

from django.middleware import csrf
from django.test import RequestFactory

from config.csrf import random_csrf_string


def test_django_draws_its_csrf_strings_through_it():
    assert csrf._get_new_csrf_string is random_csrf_string
    request = RequestFactory().get("/")
    token = csrf.get_token(request)  # a new secret, then a masked token
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == csrf.CSRF_SECRET_LENGTH and len(token) == csrf.CSRF_TOKEN_LENGTH
    assert set(secret + token) <= set(csrf.CSRF_ALLOWED_CHARS)
    assert csrf._unmask_cipher_token(token) == secret
    assert csrf.get_token(request) != token  # masked afresh for every response


def test_every_character_is_equally_likely():
    """A chi-square test over 640,000 characters. Taking bytes modulo 62 without rejecting
    the top ones would make 8 characters 25% likelier (a statistic in the thousands); a fair
    draw stays far below the bound (61 degrees of freedom, p about 1e-6 at 130)."""
    counts = Counter("".join(random_csrf_string() for _ in range(20_000)))
    expected = 20_000 * csrf.CSRF_SECRET_LENGTH / len(csrf.CSRF_ALLOWED_CHARS)
    assert set(counts) == set(csrf.CSRF_ALLOWED_CHARS)
    statistic = sum((counts[c] - expected) ** 2 / expected for c in csrf.CSRF_ALLOWED_CHARS)
    assert statistic < 130


def test_strings_do_not_repeat():
    assert len({random_csrf_string() for _ in range(10_000)}) == 10_000
