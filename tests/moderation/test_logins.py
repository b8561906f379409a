"""Login lockouts per account (moderation/logins.py) beside axes' per (username, address):
guessing one account from many addresses locks it briefly, never in a browser that has
signed in to it before."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from moderation import logins
from tests.factories import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/moderation/"
RIGHT = "pw-for-tests-only"


@pytest.fixture
def moderator(settings):
    from axes.handlers.proxy import AxesProxyHandler

    # django-axes keeps its handler (and the handler its cache) between tests: make it anew
    # from this run's settings, whatever an earlier test pointed it at.
    AxesProxyHandler.get_implementation(force=True)
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 20
    settings.LOGIN_ACCOUNT_LOCK_MINUTES = 5
    return make_user("mod", is_staff=True)


class Clock:
    """moderation.logins' view of the time, moved on by the test."""

    def __init__(self, real):
        self.offset = 0.0
        self.real = real

    def time(self):
        return self.real.time() + self.offset


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(logins.time)
    monkeypatch.setattr(logins, "time", fake)
    return fake


def attempt(password, address, client=None):
    client = client or Client()
    return client.post(LOGIN, {"username": "mod", "password": password}, REMOTE_ADDR=address)


def guess_from(addresses):
    for address in addresses:
        assert attempt("wrong", address).status_code == 200  # the form again, not a lock


def strangers(count, start=1):
    return [f"198.51.100.{n}" for n in range(start, start + count)]


def test_twenty_addresses_guessing_one_account_lock_it(moderator):
    guess_from(strangers(20))
    refused = attempt(RIGHT, "203.0.113.50")  # the right password, from a fresh address
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many attempts to sign in" in page
    assert "Please wait 5 minutes" in page
    assert "A browser you have signed in with before can still sign in." in page
    assert "_auth_user_id" not in refused.client.session


def test_fewer_guesses_than_the_account_limit_lock_nothing(moderator):
    guess_from(strangers(19))
    assert attempt(RIGHT, "203.0.113.50").status_code == 302


def test_a_browser_that_signed_in_before_is_not_locked_out(moderator):
    own = Client()
    assert attempt(RIGHT, "203.0.113.50", own).status_code == 302
    own.post("/admin/logout/")
    guess_from(strangers(20))
    assert attempt(RIGHT, "203.0.113.77", own).status_code == 302  # even from elsewhere
    assert attempt(RIGHT, "203.0.113.78").status_code == 429  # a new browser is locked


def test_a_forged_known_browser_cookie_does_not_pass_the_lock(moderator):
    guess_from(strangers(20))
    forged = Client()
    forged.cookies[logins.KNOWN_COOKIE] = "not-signed"
    assert attempt(RIGHT, "203.0.113.50", forged).status_code == 429


def test_the_account_lock_ends_after_its_cool_off(moderator, clock):
    guess_from(strangers(20))
    clock.offset = 4 * 60
    assert attempt(RIGHT, "203.0.113.50").status_code == 429
    clock.offset = 5 * 60 + 1
    assert attempt(RIGHT, "203.0.113.51").status_code == 302


def test_guessing_on_during_the_lock_does_not_lengthen_it(moderator, clock):
    guess_from(strangers(20))
    clock.offset = 4 * 60
    for address in strangers(20, start=100):
        assert attempt("wrong", address).status_code == 429
    clock.offset = 5 * 60 + 1
    assert attempt(RIGHT, "203.0.113.51").status_code == 302


def test_the_per_address_lock_still_comes_at_five(moderator):
    for _ in range(5):
        attempt("wrong", "198.51.100.9")
    locked = attempt(RIGHT, "198.51.100.9")
    assert locked.status_code == 429
    assert "A browser you have signed in with before" not in locked.content.decode()
    assert attempt(RIGHT, "198.51.100.10").status_code == 302  # the account is not locked


def test_an_admin_can_end_the_lock_with_unlock_login(moderator):
    guess_from(strangers(20))
    out = io.StringIO()
    call_command("unlock_login", "mod", stdout=out)
    assert "mod: the lock on the account ended" in out.getvalue()
    assert attempt(RIGHT, "203.0.113.50").status_code == 302


def test_the_limit_counts_the_username_however_it_is_cased(moderator):
    for n, address in enumerate(strangers(20)):
        name = "MOD" if n % 2 else "mod"
        Client().post(LOGIN, {"username": name, "password": "wrong"}, REMOTE_ADDR=address)
    assert attempt(RIGHT, "203.0.113.50").status_code == 429


def test_unlock_login_ends_the_lock_at_one_address(moderator):
    for _ in range(5):
        attempt("wrong", "198.51.100.9")
    assert attempt(RIGHT, "198.51.100.9").status_code == 429
    call_command("unlock_login", "mod", address="198.51.100.9", stdout=io.StringIO())
    assert attempt(RIGHT, "198.51.100.9").status_code == 302
