"""The page a reader gets when the database is unavailable (restarting, connections cut):
a 503 that says to try again in a moment, never a 500. Rendered without the database."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from blog.http import wants_json

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
TRY_AGAIN = (
    "The site could not reach its database just now, so this was not done. "
    "Please try again in a moment."
)
RETRY_AFTER_SECONDS = "5"


def unavailable_response(request) -> HttpResponse:
    """503 with a plain message: JSON for the inline dialogs, else a page (no queries)."""
    if wants_json(request):
        response = JsonResponse({"ok": False, "message": TRY_AGAIN}, status=503)
    else:
        # No request context: its processors would read the session (a query).
        html = render_to_string("503.html", {"site_name": settings.SITE_NAME, "message": TRY_AGAIN})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer a view's database connection error with unavailable_response()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_DOWN):
            return None
        logger.warning("database unavailable for %s %s: %s", request.method, request.path,
                       exception)  # fmt: skip
        return unavailable_response(request)
