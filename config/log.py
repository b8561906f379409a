"""Logging pieces for LOGGING in settings: refused requests (4xx) as one line each."""

import copy
import logging

from django.http import HttpRequest

# Enough for any path or reason a person needs to read; bots send far longer ones.
PATH_CHARS = 100
REASON_CHARS = 120


def _printable(text: str, limit: int) -> str:
    """`text` with control characters escaped (no forged log lines), cut to `limit`."""
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OneLineClientErrors(logging.Filter):
    """Turn Django's record of a refused request (4xx) into one line without a traceback.

    Django logs a 403 from PermissionDenied with its traceback, a bad Host header at ERROR
    with its traceback, and a CSRF refusal with the whole request attached for handlers that
    dump it. None of that is our bug, and bots send them all day; what an operator needs is
    the method, the path, the status and the reason. The line holds no headers, no query
    string and no client address. Server errors (5xx) keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool | logging.LogRecord:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        if not isinstance(request, HttpRequest):
            return True
        line = copy.copy(record)
        line.msg = "%s %s %s %s"
        line.args = (
            _printable(request.method or "-", 10),
            _printable(request.path, PATH_CHARS),
            status,
            _printable(self._reason(record), REASON_CHARS),
        )
        line.exc_info = line.exc_text = line.stack_info = None
        # A client's mistake, not ours: a bad Host header is no ERROR.
        if line.levelno > logging.WARNING:
            line.levelno, line.levelname = logging.WARNING, "WARNING"
        return line

    @staticmethod
    def _reason(record: logging.LogRecord) -> str:
        # Django logs these as "<reason>: %s" with the path last; the path is shown already.
        args = record.args if isinstance(record.args, tuple) else ()
        if args and isinstance(record.msg, str) and record.msg.endswith(": %s"):
            try:
                return record.msg[:-4] % args[:-1]
            except (TypeError, ValueError):
                pass
        message = record.getMessage()
        return message.splitlines()[0] if message else ""
