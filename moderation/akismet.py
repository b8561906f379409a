"""Akismet: the one module that talks to the spam-filtering service (and imports `akismet`).

Every failure (no key, invalid key, network, timeout, HTTP error, an answer the library
does not understand) becomes AkismetUnavailable with a reason a moderator can read; callers
never see the library's exceptions and never get a made-up verdict.
"""

import enum
import hashlib
import logging
import time

import akismet
import httpcore
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


class _Deadline:
    """A point in time (monotonic) after which no more waiting on Akismet is allowed."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def clamp(self, timeout: float | None, error: type[Exception]) -> float:
        """The timeout for one socket operation: what is left, if less than `timeout`."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise error("the Akismet deadline passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket whose every read and write waits no longer than the deadline allows.

    httpx's timeouts are per operation: an answer dribbled a byte at a time never trips
    them. Clamping each operation to the time left makes the deadline a total one.
    """

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline):
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, timeout), self._deadline
        )

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own sockets, wrapped in _DeadlineStream."""

    def __init__(self, deadline: _Deadline):
        self._backend = httpcore.SyncBackend()
        self._deadline = deadline

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        timeout = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _DeadlineStream(stream, self._deadline)


class _AkismetTransport(httpx.BaseTransport):
    """httpx's requests over httpcore with a total deadline, optionally sent to
    AKISMET_API_BASE instead of Akismet's own host.

    Akismet's answers are a few bytes, so each one is read whole here; the library then
    gets an ordinary httpx.Response, and httpx's exceptions for what went wrong.
    """

    def __init__(self, *, deadline: _Deadline, base: str = ""):
        self.base = httpx.URL(base) if base else None
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_DeadlineBackend(deadline)
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if self.base is not None:
            url = url.copy_with(scheme=self.base.scheme, host=self.base.host, port=self.base.port)
            request.headers["Host"] = self.base.netloc.decode()
        try:
            answer = self._pool.request(
                request.method,
                httpcore.URL(
                    scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
                ),
                headers=request.headers.raw,
                content=request.read(),
                extensions=request.extensions,
            )
        except httpcore.TimeoutException as exc:
            raise httpx.TimeoutException(str(exc), request=request) from exc
        except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise httpx.TransportError(str(exc), request=request) from exc
        return httpx.Response(answer.status, headers=answer.headers, content=answer.content)

    def close(self) -> None:
        self._pool.close()


def _client():
    if not is_configured():
        raise NotConfigured("skipped: not configured")
    client_class = import_string(settings.AKISMET_CLIENT_CLASS)
    config = akismet.Config(key=settings.PYTHON_AKISMET_API_KEY, url=settings.SITE_URL)
    # One deadline for everything this call sends: the key check and the request itself.
    transport = _AkismetTransport(
        deadline=_Deadline(settings.AKISMET_TIMEOUT), base=settings.AKISMET_API_BASE
    )
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
