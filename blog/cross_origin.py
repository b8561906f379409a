"""Cross-site request forgery on reader forms, refused by where the request comes from.

Readers' forms (comment, reply, report, hide, the warning gate's Continue, preferences)
carry no token, so the pages holding them are the same for every anonymous reader and a
shared cache can serve them. Instead, a browser's own account of where a POST comes from
decides: `Sec-Fetch-Site` (Fetch Metadata, sent by every current browser), else `Origin`.
Neither can be set by a page's script. This is the check OWASP's CSRF cheat sheet
describes and Go's `net/http.CrossOriginProtection` makes; docs/SECURITY.md is the threat
model.

Anyone signed in (editors, moderators) keeps Django's token check as well: their pages are
never shared, so the token costs nothing there, and it covers browsers that send neither
header.
"""

import functools
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import is_same_domain
from django.utils.log import log_response
from django.views.decorators.csrf import csrf_exempt, csrf_protect

logger = logging.getLogger("django.security.csrf")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# "none": the reader typed the address or used a bookmark (no page sent it).
PASSING_SITES = frozenset({"same-origin", "none"})

REFUSED = (
    "This form was sent from another website, not from a page of this site, so it was not "
    "accepted. If you meant to send it, open the page here and send it again."
)


def signed_in(request) -> bool:
    """Whether the request comes from a signed-in user. A request without a session cookie
    cannot be, so the session is not even read for it (no `Vary: Cookie`)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _own_origin(request) -> str | None:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return None


def _trusted(origin: str) -> bool:
    """Whether CSRF_TRUSTED_ORIGINS lists this origin (exactly, or by a `*.` wildcard)."""
    for trusted in settings.CSRF_TRUSTED_ORIGINS:
        if "*" not in trusted:
            if origin == trusted:
                return True
            continue
        try:
            asked, allowed = urlsplit(origin), urlsplit(trusted)
        except ValueError:
            continue
        if asked.scheme == allowed.scheme and is_same_domain(
            asked.netloc, allowed.netloc.lstrip("*")
        ):
            return True
    return False


def cross_origin_refusal(request) -> str | None:
    """Why this unsafe request must be refused as cross-origin, or None if it may go on.

    `Sec-Fetch-Site: same-origin` or `none` passes; `same-site` and `cross-site` (or any
    other value) are refused unless `Origin` is one of CSRF_TRUSTED_ORIGINS. Without
    `Sec-Fetch-Site` (browsers before 2023), `Origin` must be this site's own or a trusted
    one; `Origin: null` never is. Without either header the request is not from a
    browser that could be tricked into sending it, and passes (docs/SECURITY.md).
    """
    site = request.META.get("HTTP_SEC_FETCH_SITE", "")
    origin = request.META.get("HTTP_ORIGIN", "")
    if site:
        if site in PASSING_SITES or (origin and _trusted(origin)):
            return None
        return f"Sec-Fetch-Site is {site[:40]!r}"
    if not origin:
        return None
    if origin == _own_origin(request) or _trusted(origin):
        return None
    return f"Origin {origin[:200]!r} is not this site's"


def refuse(request, reason: str):
    """403 for a cross-origin POST: JSON for the inline dialogs that ask for it, else the
    friendly page."""
    if "application/json" in request.headers.get("accept", ""):
        response = JsonResponse({"ok": False, "message": REFUSED}, status=403)
    else:
        response = render(request, "403_csrf.html", {"cross_origin": True}, status=403)
    # Django's own helper, as CsrfViewMiddleware uses it: one line, not logged twice.
    log_response(
        "Forbidden (cross-origin: %s): %s", reason, request.path,
        response=response, request=request, logger=logger,
    )  # fmt: skip
    return response


def cross_origin_protect(view):
    """For views reader forms post to: unsafe requests must pass cross_origin_refusal();
    a signed-in user's must also carry Django's CSRF token.

    The view is marked csrf_exempt so CsrfViewMiddleware leaves it to this decorator, which
    runs Django's own csrf_protect for signed-in users.
    """
    with_token = csrf_protect(view)

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            reason = cross_origin_refusal(request)
            if reason is not None:
                return refuse(request, reason)
        if signed_in(request):
            return with_token(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
