"""Reading what a request sends: ids from query strings and forms, text without control
characters, and whether the client asked for JSON. Every app may use these."""

import re

# Control characters a browser never needs to send (NUL included: PostgreSQL refuses it in
# text), and lone surrogates, which cannot be stored as UTF-8. Tab and newlines stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def positive_id(value) -> int | None:
    """A row id or page number from a query string, form or URL: a positive integer that
    fits a database integer, else None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def strip_control(text: str) -> str:
    """`text` without control characters and lone surrogates (tabs and newlines stay)."""
    return _CONTROL.sub("", text)


def wants_json(request) -> bool:
    """Inline dialogs (hiding a comment, reporting one) ask for JSON; plain form posts get
    pages."""
    return "application/json" in request.headers.get("accept", "")
