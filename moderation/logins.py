"""Login lockouts per account, beside django-axes' lockouts per (username, address).

axes locks one username at one address after AXES_FAILURE_LIMIT wrong passwords; guessing
from many addresses never reaches that. Here wrong passwords for a username are counted
across every address, and at LOGIN_ACCOUNT_FAILURE_LIMIT within AXES_COOLOFF_TIME the
account is locked for LOGIN_ACCOUNT_LOCK_MINUTES, for every browser except those that have
signed in to it before (a signed cookie, set on the login page only). axes has one failure
limit for all its lockout parameters, so this cannot be a second axes parameter.

A stranger can therefore keep a moderator out of new browsers for LOGIN_ACCOUNT_LOCK_MINUTES
per LOGIN_ACCOUNT_FAILURE_LIMIT guesses, never out of a browser they already use. Failures
during the lock are not counted, so guessing on cannot lengthen it.
"""

import hashlib
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse

KNOWN_COOKIE = "known_login"
KNOWN_SALT = "moderation.logins.known"
KNOWN_DAYS = 180


def _account(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()


def _failures_key(username: str) -> str:
    return f"logins:account-failures:{_account(username)}"


def _lock_key(username: str) -> str:
    return f"logins:account-lock:{_account(username)}"


def locked_until(username: str) -> float | None:
    """When the per-account lock on this username ends (a Unix time), or None."""
    until = cache.get(_lock_key(username))
    return until if until and until > time.time() else None


def unlock_account(username: str) -> bool:
    """End a per-account lock and forget the failures counted; True if it was locked."""
    was_locked = locked_until(username) is not None
    cache.delete_many([_lock_key(username), _failures_key(username)])
    return was_locked


def _known_browser(request, username: str) -> bool:
    try:
        known = signing.loads(
            request.COOKIES.get(KNOWN_COOKIE, ""), salt=KNOWN_SALT, max_age=KNOWN_DAYS * 86400
        )
    except signing.BadSignature:
        return False
    return isinstance(known, list) and _account(username) in known


@receiver(user_login_failed, dispatch_uid="moderation.logins.count_failure")
def count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username")
    if not username or settings.LOGIN_ACCOUNT_FAILURE_LIMIT <= 0 or locked_until(username):
        return
    window = int(settings.AXES_COOLOFF_TIME.total_seconds())
    key = _failures_key(username)
    if cache.add(key, 1, timeout=window):
        failures = 1
    else:
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
            failures = 1
    if failures >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
        seconds = settings.LOGIN_ACCOUNT_LOCK_MINUTES * 60
        cache.set(_lock_key(username), time.time() + seconds, timeout=seconds)
        cache.delete(key)


@receiver(user_logged_in, dispatch_uid="moderation.logins.remember_browser")
def remember_browser(sender, request, user, **kwargs):
    if request is not None:
        request.login_account = _account(user.get_username())


class AccountLockBackend:
    """Refuses every login to a locked account from a browser that has not signed in to it
    before; authenticates nobody itself (put it before the backends that do)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username or not locked_until(username):
            return None
        if _known_browser(request, username):
            return None
        request.account_locked_until = locked_until(username)
        raise PermissionDenied("This account is locked for a few minutes.")


class AccountLockMiddleware:
    """Answers a login refused by AccountLockBackend with the lockout page, and marks the
    browser that signed in as one that may sign in to that account during a lock."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        until = getattr(request, "account_locked_until", None)
        if until:
            minutes = max(1, round((until - time.time()) / 60))
            context = {
                "cooloff_time": f"{minutes} minute{'s' if minutes != 1 else ''}",
                "account_wide": True,
            }
            return render(request, "403_locked.html", context, status=429)
        account = getattr(request, "login_account", None)
        if account:
            self._remember(request, response, account)
        return response

    def _remember(self, request, response, account):
        try:
            known = signing.loads(request.COOKIES.get(KNOWN_COOKIE, ""), salt=KNOWN_SALT)
        except signing.BadSignature:
            known = []
        if not isinstance(known, list):
            known = []
        known = [account, *[a for a in known if a != account]][:5]
        response.set_cookie(
            KNOWN_COOKIE, signing.dumps(known, salt=KNOWN_SALT), max_age=KNOWN_DAYS * 86400,
            path=reverse("admin:login"), secure=settings.SESSION_COOKIE_SECURE,
            httponly=True, samesite="Lax",
        )  # fmt: skip
