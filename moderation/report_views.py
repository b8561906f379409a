"""Readers report a published comment: a page that works without JavaScript, and JSON for
the inline dialog. What a browser remembers of its reports lives in a signed cookie."""

import hashlib
import html
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from blog.cookies import load_signed_cookie, store_signed_cookie
from blog.cross_origin import cross_origin_protect
from blog.http import wants_json
from comments.models import Comment
from comments.services import RequestMeta
from comments.threads import comment_location
from moderation.forms import ReportForm
from moderation.limits import over_rate_limit
from moderation.reports import (
    ALREADY,
    THANKS,
    THANKS_GONE,
    THANKS_HIDDEN,
    ReportRefused,
    hidden_by_reports,
    reportable_comment,
    submit_report,
)
from moderation.reports import TOO_QUICK as REPORTS_TOO_QUICK

COOKIE_SALT = "moderation.reports"
COOKIE_MAX_AGE = 365 * 24 * 60 * 60
MAX_REMEMBERED = 200


@dataclass
class ReporterCookie:
    """What a browser remembers about its reports: a random token and the comments reported."""

    token: str
    reported: list[int]

    @classmethod
    def from_request(cls, request) -> "ReporterCookie":
        value = load_signed_cookie(
            request, settings.MODERATION_REPORT_COOKIE, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE
        )
        if isinstance(value, dict) and isinstance(value.get("t"), str) and value["t"]:
            ids = value.get("ids")
            ids = [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []
            return cls(token=value["t"][:64], reported=ids)
        return cls(token=secrets.token_urlsafe(24), reported=[])

    @property
    def reporter(self) -> str:
        """The stored form of the token: it cannot be traced back to the browser."""
        return hashlib.blake2s(self.token.encode(), digest_size=16).hexdigest()

    def has_reported(self, comment_id: int) -> bool:
        return comment_id in self.reported

    def save(self, response, comment_id: int) -> None:
        ids = [i for i in self.reported if i != comment_id] + [comment_id]
        value = {"t": self.token, "ids": ids[-MAX_REMEMBERED:]}
        store_signed_cookie(
            response, settings.MODERATION_REPORT_COOKIE, value,
            salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE,
        )  # fmt: skip


def _excerpt(comment: Comment) -> str:
    return Truncator(html.unescape(strip_tags(comment.body_html))).chars(300)


@cross_origin_protect
def report_comment(request, pk):
    """Report a published comment: a page without JavaScript, JSON for the inline dialog.

    Anyone may report, once per comment per browser and per address within a window, and
    within the same flood limit as comments. Nothing here tells anyone who reported.
    """
    json = wants_json(request)
    cookie = ReporterCookie.from_request(request)
    if request.method == "GET" and request.GET.get("sent") and cookie.has_reported(pk):
        return _thanks_page(request, pk)
    try:
        comment = reportable_comment(pk)
    except ReportRefused as exc:
        if json:
            return JsonResponse({"ok": False, "message": exc.message}, status=exc.status)
        context = {"refusal": exc.message, "back_url": reverse("blog:essay_list")}
        return render(request, "moderation/report.html", context, status=exc.status)

    form, status, done = ReportForm(), 200, ""
    if cookie.has_reported(comment.pk):
        done = ALREADY
        status = 409 if request.method == "POST" else 200
    elif request.method == "POST":
        form = ReportForm(request.POST)
        outcome = _take_report(request, comment, form, cookie)
        if outcome is None:
            return _report_taken(request, comment, cookie, json)
        status, message = outcome
        if message == ALREADY:
            done = ALREADY
        elif message:
            form.add_error(None, message)
    if json:
        body = {"ok": status < 400, "done": bool(done), "message": done}
        if form.errors:
            body["errors"] = {k: [str(e) for e in v] for k, v in form.errors.items()}
            body["message"] = " ".join(e for errors in body["errors"].values() for e in errors)
        response = JsonResponse(body, status=status)
    else:
        context = {
            "comment": comment, "form": form, "done": done, "excerpt": _excerpt(comment),
            "back_url": comment_location(comment),
        }  # fmt: skip
        response = render(request, "moderation/report.html", context, status=status)
    if done == ALREADY and not cookie.has_reported(comment.pk):
        cookie.save(response, comment.pk)  # this address had reported it: remember here too
    return response


def _thanks_page(request, pk):
    """After a report without JavaScript (post/redirect/get). If the report hid the comment,
    the thanks says so, and the comment is no longer quoted."""
    comment = Comment.objects.select_related("essay").filter(pk=pk).first()
    if comment is None or not comment.essay.is_public:
        raise Http404("No such comment")
    public = comment.status == Comment.Status.APPROVED
    if public:
        done = THANKS
    elif hidden_by_reports(comment):
        done = THANKS_HIDDEN
    else:
        done = THANKS_GONE
    context = {
        "comment": comment, "done": done, "excerpt": _excerpt(comment) if public else "",
        "back_url": comment_location(comment),
    }  # fmt: skip
    return render(request, "moderation/report.html", context)


def _take_report(request, comment, form, cookie) -> tuple[int, str] | None:
    """None when the report was taken, else (HTTP status, message for the reader)."""
    if not form.is_valid():
        return 400, ""
    ip = RequestMeta.from_request(request, permalink="").ip_address
    if over_rate_limit(ip):
        return 429, REPORTS_TOO_QUICK
    try:
        report = submit_report(
            comment_id=comment.pk, reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"], reporter=cookie.reporter, ip_address=ip,
        )  # fmt: skip
    except ReportRefused as exc:
        return exc.status, exc.message
    comment.status = report.comment.status
    return None


def _report_taken(request, comment, cookie, json):
    hidden = comment.status != Comment.Status.APPROVED
    if json:
        response = JsonResponse(
            {"ok": True, "done": True, "hidden": hidden,
             "message": THANKS_HIDDEN if hidden else THANKS}
        )  # fmt: skip
    else:
        response = HttpResponseRedirect(
            reverse("reports:report", kwargs={"pk": comment.pk}) + "?sent=1"
        )
    cookie.save(response, comment.pk)
    return response
