"""Screening: the checks every new comment passes before anyone else can read it.

Steps, each recorded as a Decision: honeypot, time trap, the moderators' word and address
lists, links, Akismet, then policy. The policy Decision is the last one: a comment with one
has been screened and is never screened again. If Akismet cannot answer, the comment stays
pending with the reason recorded; the check is tried again later where the task backend
can run a task later, and the reason says to run `recheck_comments` where it cannot.
"""

import functools
import ipaddress
import logging
import re
from datetime import UTC, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.tasks import default_task_backend
from django.utils import timezone

from blog.models import CommentPolicy
from comments.models import Comment
from comments.services import change_status
from moderation import akismet
from moderation.bans import active_ban
from moderation.models import Decision, ListEntry
from moderation.reports import open_reports
from moderation.signals import comment_held

logger = logging.getLogger(__name__)

Step, Outcome = Decision.Step, Decision.Outcome
LOCAL_STEPS = (Step.HONEYPOT, Step.TIME_TRAP, Step.RULES, Step.LINKS)
HONEYPOT_FIELD = "homepage"
MAX_RETRIES = 6
RECHECK_HINT = "run `python manage.py recheck_comments`"
LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)


def akismet_params(comment: Comment, **extra) -> dict:
    """Everything Akismet asks for about a comment (the library adds `blog` itself)."""
    params = {
        "user_ip": comment.ip_address or "",
        "user_agent": comment.user_agent,
        "referrer": comment.referrer,
        "permalink": comment.permalink,
        "comment_type": "reply" if comment.parent_id else "comment",
        "comment_author": comment.author_name,
        "comment_author_email": comment.author_email,
        "comment_author_url": comment.author_url,
        "comment_content": comment.body,
        "comment_date_gmt": comment.created_at.astimezone(UTC).isoformat(),
        "honeypot_field_name": HONEYPOT_FIELD,
        "blog_lang": settings.LANGUAGE_CODE.split("-")[0],
        "blog_charset": "UTF-8",
        **extra,
    }
    if settings.DEBUG:
        params["is_test"] = True
    return params


def _ip_matches(entry: str, ip: str | None) -> bool:
    if not ip:
        return False
    try:
        return ipaddress.ip_address(ip) in ipaddress.ip_network(entry.strip(), strict=False)
    except ValueError:
        return False


def _email_matches(entry: str, email: str) -> bool:
    entry, email = entry.strip().casefold(), email.casefold()
    if not email or not entry:
        return False
    return email.endswith(entry) if entry.startswith("@") else email == entry


def disallowed(*emails: str, ip: str | None = None) -> str:
    """The moderators' list entry that refuses any of these email addresses (or spellings
    of one) or this IP address, for anything the site would send to or accept from them;
    "" if none does. One query."""
    for entry in ListEntry.objects.filter(
        kind__in=[ListEntry.Kind.DISALLOWED_EMAIL, ListEntry.Kind.DISALLOWED_IP]
    ):
        value = entry.value.strip()
        if entry.kind == ListEntry.Kind.DISALLOWED_EMAIL and any(
            _email_matches(value, email) for email in emails
        ):
            return value
        if entry.kind == ListEntry.Kind.DISALLOWED_IP and value and _ip_matches(value, ip):
            return value
    return ""


def _check_lists(comment: Comment) -> tuple[str, str]:
    """(outcome, reason) from the moderators' lists: spam, hold, or pass."""
    text = " ".join(
        [comment.author_name, comment.author_email, comment.author_url, comment.body]
    ).casefold()
    entries = list(ListEntry.objects.all())
    for entry in entries:
        value = entry.value.strip()
        if not value:
            continue
        if entry.kind == ListEntry.Kind.DISALLOWED_WORD and value.casefold() in text:
            return Outcome.SPAM, f'disallowed word "{value}"'
        if entry.kind == ListEntry.Kind.DISALLOWED_IP and _ip_matches(value, comment.ip_address):
            return Outcome.SPAM, f"disallowed IP address {value}"
        if entry.kind == ListEntry.Kind.DISALLOWED_EMAIL and _email_matches(
            value, comment.author_email
        ):
            return Outcome.SPAM, f"disallowed email {value}"
    for entry in entries:
        value = entry.value.strip()
        if entry.kind == ListEntry.Kind.MODERATION_WORD and value and value.casefold() in text:
            return Outcome.HOLD, f'moderation word "{value}"'
    return Outcome.PASS, "no list entry matched"


def _local_steps(comment: Comment) -> list[Decision]:
    results = []
    if comment.form_honeypot:
        results.append((Step.HONEYPOT, Outcome.SPAM, "the hidden field was filled in"))
    else:
        results.append((Step.HONEYPOT, Outcome.PASS, "the hidden field was empty"))

    minimum = settings.MODERATION_MIN_SECONDS
    if comment.form_seconds is None:
        results.append((Step.TIME_TRAP, Outcome.HOLD, "form time stamp missing or not genuine"))
    elif comment.form_seconds < minimum:
        results.append(
            (Step.TIME_TRAP, Outcome.HOLD,
             f"sent {comment.form_seconds:.1f} s after the form was shown (minimum {minimum:g} s)")
        )  # fmt: skip
    else:
        results.append((Step.TIME_TRAP, Outcome.PASS, f"sent after {comment.form_seconds:.0f} s"))

    results.append((Step.RULES, *_check_lists(comment)))

    links = len(LINK.findall(comment.body))
    limit = settings.MODERATION_MAX_LINKS
    if limit and links >= limit:
        results.append((Step.LINKS, Outcome.HOLD, f"{links} links (held at {limit} or more)"))
    else:
        results.append((Step.LINKS, Outcome.PASS, f"{links} link{'s' if links != 1 else ''}"))

    return Decision.objects.bulk_create(
        [Decision(comment=comment, step=s, outcome=o, reason=r) for s, o, r in results]
    )


def _akismet_step(comment: Comment, attempts: int, *, edited: bool = False) -> Decision:
    params = akismet_params(comment, **({"recheck_reason": "edit"} if edited else {}))
    try:
        verdict = akismet.check(params)
    except akismet.NotConfigured:
        return Decision.objects.create(
            comment=comment, step=Step.AKISMET, outcome=Outcome.SKIPPED,
            reason="skipped: not configured",
        )  # fmt: skip
    except akismet.AkismetUnavailable as exc:
        # Say "will retry" only once a retry is queued: the immediate backend cannot defer
        # a task, so there nothing will try again unless someone runs the command.
        if schedule_retry(comment.pk, attempts):
            retry_note = "will retry"
        elif attempts >= MAX_RETRIES:
            retry_note = f"gave up after {attempts} tries; {RECHECK_HINT}"
        else:
            retry_note = f"not retried by itself; {RECHECK_HINT}"
        return Decision.objects.create(
            comment=comment, step=Step.AKISMET, outcome=Outcome.ERROR,
            reason=f"{exc}; {retry_note}", details=params,
        )  # fmt: skip
    outcome = Outcome.PASS if verdict == akismet.Verdict.HAM else Outcome.SPAM
    reason = {
        akismet.Verdict.HAM: "Akismet: not spam",
        akismet.Verdict.SPAM: "Akismet: spam",
        akismet.Verdict.DISCARD: "Akismet: blatant spam (discard)",
    }[verdict]
    return Decision.objects.create(
        comment=comment, step=Step.AKISMET, outcome=outcome, reason=reason,
        details={**params, "verdict": verdict.value},
    )  # fmt: skip


def _is_returning_author(comment: Comment) -> bool:
    """Whether the browser that sent this comment wrote an approved one under the same
    email (or, with no email, the same name).

    A name is on the page for anyone to copy, and an email can be guessed; the writer key
    (a hash of a random token in the writer's signed cookie) cannot be taken from either.
    """
    if not comment.writer_key:
        return False
    if comment.author_email:
        same = Q(author_email__iexact=comment.author_email)
    else:
        same = Q(author_name=comment.author_name, author_email="")
    return (
        Comment.objects.public()
        .filter(same, writer_key=comment.writer_key)
        .exclude(pk=comment.pk)
        .exists()
    )


def _finish(comment: Comment, status: str, reason: str, *, since=None) -> None:
    """Record the policy's outcome, unless a moderator decided while screening ran.

    `since` is when the comment was last edited: moderator decisions before that were
    about the old text.
    """
    outcome = {
        Comment.Status.APPROVED: Outcome.APPROVE,
        Comment.Status.SPAM: Outcome.SPAM,
        Comment.Status.PENDING: Outcome.HOLD,
    }[status]
    moderated = Decision.objects.filter(comment=comment, step=Step.MODERATOR)
    if since is not None:
        moderated = moderated.filter(created_at__gt=since)
    if status != Comment.Status.PENDING:
        updated = change_status(
            comment=comment, to=status, expected=(Comment.Status.PENDING,),
            unless=Exists(moderated.filter(comment=OuterRef("pk"))),
        )  # fmt: skip
        if not updated:  # a moderator got there first; their decision stands
            return
    elif (
        moderated.exists()
        or not Comment.objects.filter(pk=comment.pk, status=Comment.Status.PENDING).exists()
    ):
        return
    Decision.objects.create(comment=comment, step=Step.POLICY, outcome=outcome, reason=reason)
    # The reason can quote a list entry (an email, an address): not for the INFO log.
    logger.info("comment %s screened: policy=%s", comment.pk, outcome)
    if status == Comment.Status.PENDING and settings.MODERATION_NOTIFY_HELD:
        announce_held(comment, f"A comment was held for review ({reason}).")


def announce_held(comment: Comment, reason: str, *, tab: str = "pending") -> None:
    """Tell whoever listens (subscriptions emails the moderators) that a comment waits on
    `tab`, once this commits. Robust: a mail outage must not undo a screening."""
    transaction.on_commit(
        lambda: comment_held.send(sender=Comment, comment=comment, reason=reason, tab=tab),
        robust=True,
    )


def schedule_retry(comment_id: int, attempts: int) -> bool:
    """Try the spam check again later, if the task backend can run a task later."""
    if attempts >= MAX_RETRIES or not default_task_backend.supports_defer:
        return False
    from moderation.tasks import screen_comment

    delay = settings.MODERATION_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    screen_comment.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(comment_id)
    return True


SCREENING_LOCK_SECONDS = 120


def screen(comment_id: int) -> str | None:
    """Screen one comment; return its status afterwards (None if there is no such comment).

    A retry and `recheck_comments` may ask for the same comment at once; a short lock in
    the shared cache lets only one of them screen it.
    """
    lock = f"moderation:screening:{comment_id}"
    if not cache.add(lock, 1, timeout=SCREENING_LOCK_SECONDS):
        status = Comment.objects.filter(pk=comment_id).values_list("status", flat=True).first()
        return status
    try:
        return _screen(comment_id)
    finally:
        cache.delete(lock)


def _screen(comment_id: int) -> str | None:
    comment = Comment.objects.select_related("essay").filter(pk=comment_id).first()
    if comment is None:
        return None
    decisions = list(comment.decisions.all())
    edits = [i for i, d in enumerate(decisions) if d.step == Step.EDITED]
    since = None
    if edits:  # the comment was changed by its writer: only what came after counts
        since = decisions[edits[-1]].created_at
        decisions = decisions[edits[-1] + 1 :]
    finish = functools.partial(_finish, since=since)
    if comment.status != Comment.Status.PENDING or any(
        d.step in (Step.POLICY, Step.MODERATOR) for d in decisions
    ):
        return comment.status  # already screened or decided by a person

    ban = active_ban(comment.author_email, comment.ip_address)
    if ban is not None:  # silent: the writer sees it as held (moderation.bans)
        Decision.objects.create(
            comment=comment, step=Step.BAN, outcome=Outcome.SPAM,
            reason=f"{ban.label} is banned {ban.until}: {ban.reason}"[:500],
            details={"ban": ban.pk},
        )  # fmt: skip
        finish(comment, Comment.Status.SPAM, f"spam: {ban.label} is banned"[:500])
        return Comment.Status.SPAM

    local = [d for d in decisions if d.step in LOCAL_STEPS] or _local_steps(comment)
    spam = next((d for d in local if d.outcome == Outcome.SPAM), None)
    if spam is not None:
        finish(comment, Comment.Status.SPAM, f"spam: {spam.reason}")
        return Comment.Status.SPAM

    attempts = 1 + sum(d.step == Step.AKISMET and d.outcome == Outcome.ERROR for d in decisions)
    checked = _akismet_step(comment, attempts, edited=bool(edits))
    if checked.outcome == Outcome.ERROR:  # the retry, if any, was queued by _akismet_step
        return Comment.Status.PENDING
    if checked.outcome == Outcome.SPAM:
        finish(comment, Comment.Status.SPAM, checked.reason)
        return Comment.Status.SPAM

    holds = [d.reason for d in local if d.outcome == Outcome.HOLD]
    if checked.outcome == Outcome.SKIPPED:
        holds.append("Akismet is not configured")
    if open_reports(comment).exists():
        holds.append("readers have reported it")  # e.g. edited after reports hid it
    policy = comment.essay.comment_policy_now()
    if holds:
        finish(comment, Comment.Status.PENDING, "held for review: " + "; ".join(holds))
    elif policy in (CommentPolicy.HOLD, CommentPolicy.CLOSED):
        finish(comment, Comment.Status.PENDING, "held for review: the essay's policy holds "
               "every new comment" if policy == CommentPolicy.HOLD else
               "held for review: comments on the essay were closed")  # fmt: skip
    elif policy == CommentPolicy.TRUSTED:
        if _is_returning_author(comment):
            finish(comment, Comment.Status.APPROVED, "approved: every check passed and the "
                   "essay's policy trusts this returning author")  # fmt: skip
            return Comment.Status.APPROVED
        finish(comment, Comment.Status.PENDING, "held for review: the essay's policy "
               "publishes only trusted returning authors")  # fmt: skip
    elif settings.MODERATION_ALWAYS_HOLD:
        finish(comment, Comment.Status.PENDING, "held for review: every comment is held")
    elif settings.MODERATION_TRUST_RETURNING and _is_returning_author(comment):
        finish(comment, Comment.Status.APPROVED, "approved: every check passed and the "
                "author has an approved comment")  # fmt: skip
        return Comment.Status.APPROVED
    else:
        finish(comment, Comment.Status.PENDING, "held for review: first comment from this author")
    return Comment.Status.PENDING
