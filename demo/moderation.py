"""Screening records for the demo comments, so every queue tab shows its reasons."""

import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from comments.models import Comment
from moderation.bans import commenter_key
from moderation.models import Ban, CommentEdit, CommenterNote, Decision, Report
from moderation.reports import record_report

Step, Outcome = Decision.Step, Decision.Outcome

PASSED = [
    (Step.HONEYPOT, Outcome.PASS, "the hidden field was empty"),
    (Step.TIME_TRAP, Outcome.PASS, "sent after 48 s"),
    (Step.RULES, Outcome.PASS, "no list entry matched"),
]


def _links(comment):
    n = comment.body_html.count("<a ")
    if n >= 2:
        return (Step.LINKS, Outcome.HOLD, f"{n} links (held at 2 or more)")
    return (Step.LINKS, Outcome.PASS, f"{n} link{'s' if n != 1 else ''}")


def seed_decisions() -> int:
    """Give demo comments that have none a plausible screening history."""
    moderator = get_user_model().objects.filter(username="moderator").first()
    seeded = 0
    for comment in Comment.objects.filter(decisions__isnull=True, ip_address="192.0.2.10"):
        rows = [*PASSED, _links(comment)]
        if comment.status == Comment.Status.SPAM:
            if comment.body_html.count("<a ") >= 2:
                rows += [(Step.AKISMET, Outcome.SPAM, "Akismet: spam"),
                         (Step.POLICY, Outcome.SPAM, "Akismet: spam")]  # fmt: skip
            else:
                rows[0] = (Step.HONEYPOT, Outcome.SPAM, "the hidden field was filled in")
                rows += [(Step.POLICY, Outcome.SPAM, "spam: the hidden field was filled in")]
        elif comment.status == Comment.Status.PENDING:
            rows += [
                (Step.AKISMET, Outcome.SKIPPED, "skipped: not configured"),
                (Step.POLICY, Outcome.HOLD,
                 "held for review: Akismet is not configured; first comment from this author"),
            ]  # fmt: skip
        else:
            rows += [
                (Step.AKISMET, Outcome.PASS, "Akismet: not spam"),
                (Step.POLICY, Outcome.HOLD, "held for review: first comment from this author"),
                (Step.MODERATOR, Outcome.APPROVE, "Approve by moderator", moderator),
            ]
            if comment.status == Comment.Status.REMOVED:
                rows.append((Step.MODERATOR, Outcome.REMOVE,
                             "Remove by moderator: cruel to other readers", moderator))  # fmt: skip
        Decision.objects.bulk_create(
            [
                Decision(comment=comment, step=row[0], outcome=row[1], reason=row[2],
                         actor=row[3] if len(row) > 3 else None)
                for row in rows
            ]
        )  # fmt: skip
        seeded += 1
    return seeded


# Two readers reported "straight talker" (below the hiding threshold, so it is still up):
# the moderation queue opens on its Reported tab.
REPORTS = [
    ("after-the-ordinary-days", "a9", Report.Reason.HARASSMENT,
     "This tells a survivor her account was probably false. Please take it down.", "demo-1"),
    ("after-the-ordinary-days", "a9", Report.Reason.OTHER, "", "demo-2"),
]  # fmt: skip


def seed_reports() -> int:
    """Open reports on demo comments, once each; return how many were created."""
    created = 0
    for slug, key, reason, note, reporter in REPORTS:
        submission_key = uuid.uuid5(uuid.NAMESPACE_URL, f"demo-comment:{slug}:{key}")
        comment = Comment.objects.filter(submission_key=submission_key).first()
        if comment is None or Report.objects.filter(comment=comment, reporter=reporter).exists():
            continue
        record_report(comment, reason=reason, note=note, reporter=reporter)
        created += 1
    return created


def _demo_comment(slug: str, key: str) -> Comment | None:
    submission_key = uuid.uuid5(uuid.NAMESPACE_URL, f"demo-comment:{slug}:{key}")
    return Comment.objects.filter(submission_key=submission_key).first()


def seed_moderator_records() -> None:
    """A ban, a note on a commenter and an edited comment, once each, so the bans page,
    the notes on queue rows and the edit history have something to show."""
    moderator = get_user_model().objects.filter(username="moderator").first()
    spam = _demo_comment("notes-from-a-waiting-list", "n5")
    if spam is not None and not Ban.objects.filter(kind=Ban.Kind.DOMAIN,
                                                   value="deals.example").exists():  # fmt: skip
        Ban.objects.create(
            kind=Ban.Kind.DOMAIN, value="deals.example", comment=spam, created_by=moderator,
            reason="Pill-spam links in several threads; nobody writes from this domain.",
            expires_at=timezone.now() + timedelta(days=30),
        )  # fmt: skip
    harsh = _demo_comment("after-the-ordinary-days", "a9")
    key = commenter_key("", "straight talker")
    if harsh is not None and not CommenterNote.objects.filter(commenter=key).exists():
        CommenterNote.objects.create(
            commenter=key, author=moderator,
            body="Second comment this month doubting a survivor's account. Kept once after "
            "a talk by email; remove the next one.",
        )  # fmt: skip
    edited = _demo_comment("after-the-ordinary-days", "a7")
    if edited is not None and not edited.edits.exists():
        CommentEdit.objects.create(
            comment=edited, written_at=edited.created_at, content_warning="",
            body="My own experience with the police interview was very different.",
        )  # fmt: skip
        Comment.objects.filter(pk=edited.pk).update(
            edited_at=edited.created_at + timedelta(minutes=20)
        )
