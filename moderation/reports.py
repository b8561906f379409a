"""Readers report published comments that do harm; enough reports hide a comment.

Who reported stays private: a report keeps a one-way hash of a random token from the
reporter's browser (to count each browser once; see report_views.ReporterCookie) and the IP
address (to limit reports per address, cleared with other request data). Moderators see
reasons, notes and counts only.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator

from blog.http import positive_id
from comments.models import Comment
from comments.services import change_status
from moderation.bans import active_ban
from moderation.counts import forget_tab_counts
from moderation.limits import address_key
from moderation.models import Decision, Report

logger = logging.getLogger(__name__)

THANKS = "Thank you. A moderator will review this comment."
THANKS_HIDDEN = (
    "Thank you. Enough readers have reported this comment that it is now hidden until a "
    "moderator reviews it."
)
THANKS_GONE = "Thank you. This comment is no longer published."
ALREADY = "You have already reported this comment. A moderator will review it."
NOT_PUBLIC = (
    "This comment cannot be reported: it is not published (it may have been removed, or "
    "be waiting for a moderator already)."
)
# The Decision on a comment reported from a banned address.
NOT_COUNTED = "a report was not counted: sent from a banned address"
TOO_QUICK = (
    "You are sending reports too quickly. Please wait a few minutes and send it again; "
    "your note is below, so nothing is lost."
)


class ReportRefused(Exception):
    """The report was not taken; `message` says why, for the reader."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def _is_public(comment: Comment | None) -> bool:
    return comment is not None and comment.is_public and comment.essay.is_public


def reportable_comment(comment_id) -> Comment:
    """The published comment (of a published essay) with this id, or ReportRefused (404)."""
    comment_id = positive_id(comment_id)
    comment = Comment.objects.select_related("essay").filter(pk=comment_id).first()
    if comment_id is None or not _is_public(comment):
        raise ReportRefused(NOT_PUBLIC, status=404)
    return comment


def submit_report(
    *, comment_id: int, reason: str, note: str, reporter: str, ip_address: str | None
) -> Report:
    """Record one report (and its Decision), hiding the comment at the threshold.

    Refused with ReportRefused when the comment is not public, or when this browser, or
    this address within MODERATION_REPORT_IP_WINDOW_HOURS, has already reported it.
    """
    try:
        with transaction.atomic():
            return _submit(comment_id, reason, note, reporter, ip_address)
    except IntegrityError:  # the same browser twice at once: the constraint kept one
        raise ReportRefused(ALREADY, status=409) from None


def _submit(comment_id, reason, note, reporter, ip_address) -> Report:
    # The comment row is locked (on PostgreSQL) so that reports arriving together are
    # counted one after the other and the threshold is crossed exactly once.
    comment = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("essay")
        .filter(pk=comment_id)
        .first()
    )
    if not _is_public(comment):
        raise ReportRefused(NOT_PUBLIC, status=404)
    reports = Report.objects.filter(comment=comment)
    window = timezone.now() - timedelta(hours=settings.MODERATION_REPORT_IP_WINDOW_HOURS)
    raw_ip, ip_address = ip_address, address_key(ip_address)
    same_address = reports.filter(ip_address=ip_address).filter(
        Q(state=Report.State.OPEN) | Q(created_at__gte=window)
    )
    if reports.filter(reporter=reporter).exists() or (ip_address and same_address.exists()):
        raise ReportRefused(ALREADY, status=409)
    if active_ban(ip=raw_ip) is not None:  # thanked like any reader, and not counted
        # Which ban is not said: this Decision is the reported comment's, shown to
        # moderators and in its writer's data export, and the ban names the reporter.
        Decision.objects.create(
            comment=comment, step=Decision.Step.BAN, outcome=Decision.Outcome.SKIPPED,
            reason=NOT_COUNTED,
        )  # fmt: skip
        return Report(comment=comment, reason=reason)  # not saved
    report = record_report(
        comment, reason=reason, note=note, reporter=reporter, ip_address=ip_address
    )
    logger.info("comment %s reported: reason=%s", comment.pk, reason)
    _hide_at_threshold(comment)
    forget_tab_counts()  # the Reported tab shows it at once (and again once committed)
    transaction.on_commit(forget_tab_counts)
    return report


def record_report(comment, *, reason, note, reporter, ip_address=None) -> Report:
    """Store a report and its Decision (the reason and note; never who sent it)."""
    # The words as reported stay with the report, so a later edit cannot hide them.
    report = Report.objects.create(
        comment=comment, reason=reason, note=note, reporter=reporter, ip_address=ip_address,
        comment_text=comment.body,
    )  # fmt: skip
    label = Report.Reason(reason).label
    Decision.objects.create(
        comment=comment, step=Decision.Step.REPORT, outcome=Decision.Outcome.REPORTED,
        reason=f"{label}: \u201c{Truncator(note).chars(400)}\u201d" if note else label,
    )  # fmt: skip
    return report


def open_reports(comment: Comment, *, up_to: int | None = None):
    """The comment's reports no moderator has dealt with (up to report id `up_to`)."""
    reports = Report.objects.filter(comment=comment, state=Report.State.OPEN)
    return reports if up_to is None else reports.filter(pk__lte=up_to)


def open_reporters(comment: Comment) -> int:
    """How many different people have reports on this comment that no moderator has dealt
    with: browsers, but no more than the addresses they came from (clearing cookies, or
    moving within an IPv6 /64, does not make one person several)."""
    reports = open_reports(comment)
    browsers = reports.values("reporter").distinct().count()
    addresses = (
        reports.exclude(ip_address=None).values("ip_address").distinct().count()
        + reports.filter(ip_address=None).count()
    )
    return min(browsers, addresses)


def _hide_at_threshold(comment: Comment) -> None:
    threshold = settings.MODERATION_REPORT_HIDE_THRESHOLD
    if threshold <= 0:
        return
    count = open_reporters(comment)
    if count < threshold:
        return
    hidden = change_status(
        comment=comment, to=Comment.Status.PENDING, expected=(Comment.Status.APPROVED,)
    )
    if not hidden:
        return
    Decision.objects.create(
        comment=comment, step=Decision.Step.REPORT, outcome=Decision.Outcome.HOLD,
        reason=f"hidden after {count} reports",
    )  # fmt: skip
    logger.info("comment %s hidden after %s reports", comment.pk, count)
    if settings.MODERATION_NOTIFY_HELD:
        from moderation.screening import announce_held

        announce_held(
            comment, f"A published comment was hidden from readers after {count} reports.",
            tab="reported",
        )  # fmt: skip


def hidden_by_reports(comment: Comment) -> bool:
    """Whether the comment waits for a moderator because readers' reports hid it."""
    if comment.status != Comment.Status.PENDING:
        return False
    last = (
        Decision.objects.filter(comment=comment)
        .exclude(outcome=Decision.Outcome.REPORTED)
        .order_by("-created_at", "-id")
        .first()
    )
    return last is not None and last.step == Decision.Step.REPORT


def resolve_reports(comment: Comment, *, kept: bool, up_to: int | None = None) -> int:
    """A moderator dealt with the comment: its open reports are dismissed (kept) or upheld.

    `up_to` is the newest report the moderator saw: reports that came in after it stay
    open. Dismissed reports never count again; only new reports can raise the comment
    again. A dealt-with report no longer needs its address, so it is cleared now; nor,
    once its writer has deleted the comment, the words it was reported for.
    """
    gone = {"comment_text": ""} if not comment.body else {}
    return open_reports(comment, up_to=up_to).update(
        state=Report.State.DISMISSED if kept else Report.State.UPHELD,
        resolved_at=timezone.now(),
        ip_address=None,
        **gone,
    )
