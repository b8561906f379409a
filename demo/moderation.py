"""Screening records for the demo comments, so every queue tab shows its reasons."""

import uuid

from django.contrib.auth import get_user_model

from comments.models import Comment
from moderation.models import Decision, Report
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
