"""Akismet: the one module that talks to the spam-filtering service (and imports `akismet`).

Every failure (no key, invalid key, network, timeout, HTTP error, an answer the library
does not understand) becomes AkismetUnavailable with a reason a moderator can read; callers
never see the library's exceptions and never get a made-up verdict.
"""

import enum
import hashlib
import logging

import akismet
import httpx
from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

KEY_CHECK_SECONDS = 60 * 60


class Verdict(enum.StrEnum):
    HAM = "ham"
    SPAM = "spam"
    DISCARD = "discard"  # blatant spam: Akismet's "pro-tip: discard"


class AkismetUnavailable(Exception):
    """Akismet could not give an answer; the reason is safe to show moderators."""


class NotConfigured(AkismetUnavailable):
    """No API key is set."""


def is_configured() -> bool:
    return bool(settings.PYTHON_AKISMET_API_KEY)


class _RedirectTransport(httpx.HTTPTransport):
    """Send the library's requests to AKISMET_API_BASE instead of Akismet's own host."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self.base = httpx.URL(base)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self.base.scheme, host=self.base.host, port=self.base.port
        )
        request.headers["Host"] = self.base.netloc.decode()
        return super().handle_request(request)


def _client():
    if not is_configured():
        raise NotConfigured("skipped: not configured")
    client_class = import_string(settings.AKISMET_CLIENT_CLASS)
    config = akismet.Config(key=settings.PYTHON_AKISMET_API_KEY, url=settings.SITE_URL)
    transport = _RedirectTransport(settings.AKISMET_API_BASE) if settings.AKISMET_API_BASE else None
    http_client = httpx.Client(
        headers={"User-Agent": akismet.USER_AGENT},
        timeout=settings.AKISMET_TIMEOUT,
        transport=transport,
    )
    # The library's TestSyncClient ignores http_client and answers by itself.
    return client_class(config=config, http_client=http_client), http_client


def _key_is_valid(client) -> bool:
    """Verify the key once an hour per process group, not on every comment."""
    digest = hashlib.sha256(
        f"{settings.PYTHON_AKISMET_API_KEY}|{settings.SITE_URL}".encode()
    ).hexdigest()[:16]
    cache_key = f"akismet:key-valid:{digest}"
    valid = cache.get(cache_key)
    if valid is None:
        valid = client.verify_key()
        cache.set(cache_key, valid, KEY_CHECK_SECONDS)
    return valid


def _call(operation: str, params: dict):
    http_client = None
    try:
        client, http_client = _client()
        if not _key_is_valid(client):
            raise AkismetUnavailable("spam check unavailable: the Akismet API key is invalid")
        return getattr(client, operation)(**params)
    except AkismetUnavailable:
        raise
    except akismet.APIKeyError as exc:
        raise AkismetUnavailable("spam check unavailable: the Akismet API key is invalid") from exc
    except akismet.ProtocolError as exc:
        raise AkismetUnavailable("spam check unavailable: unexpected answer from Akismet") from exc
    except akismet.RequestError as exc:
        reason = "timed out" if "timed out" in str(exc) else "could not be reached"
        raise AkismetUnavailable(f"spam check unavailable: Akismet {reason}") from exc
    except akismet.AkismetError as exc:
        logger.warning("Akismet %s failed: %s", operation, type(exc).__name__)
        raise AkismetUnavailable("spam check unavailable: Akismet error") from exc
    finally:
        if http_client is not None:
            http_client.close()


def check(params: dict) -> Verdict:
    """Ask Akismet's comment-check about a comment described by `params`."""
    result = _call("comment_check", params)
    return {
        akismet.CheckResponse.HAM: Verdict.HAM,
        akismet.CheckResponse.SPAM: Verdict.SPAM,
        akismet.CheckResponse.DISCARD: Verdict.DISCARD,
    }[result]


def submit_spam(params: dict) -> None:
    """Tell Akismet a comment it passed was spam (with the values comment-check got)."""
    _call("submit_spam", params)


def submit_ham(params: dict) -> None:
    """Tell Akismet a comment it caught was not spam (with the values comment-check got)."""
    _call("submit_ham", params)
