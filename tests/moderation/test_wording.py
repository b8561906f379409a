import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.template import Context, Template

from moderation.models import Decision
from moderation.reports import record_report
from moderation.screening import screen
from moderation.services import moderate
from moderation.wording import OUTCOME_WORDS, STEP_NAMES, describe
from tests.factories import make_essay, make_pending, make_user

Step, Outcome = Decision.Step, Decision.Outcome
ALICE = "alice"
RETRY = "run `python manage.py recheck_comments`"

# (step, outcome, reason as moderation writes it, set by alice?, the line a moderator reads)
CASES = [
    (Step.HONEYPOT, Outcome.PASS, "the hidden field was empty", False,
     "Honeypot: passed, the hidden field was empty"),
    (Step.HONEYPOT, Outcome.SPAM, "the hidden field was filled in", False,
     "Honeypot: spam, the hidden field was filled in"),
    (Step.TIME_TRAP, Outcome.PASS, "sent after 48 s", False, "Time trap: passed, sent after 48 s"),
    (Step.TIME_TRAP, Outcome.HOLD, "form time stamp missing or not genuine", False,
     "Time trap: held, the form's timestamp was missing or not genuine"),
    (Step.TIME_TRAP, Outcome.HOLD, "sent 1.2 s after the form was shown (minimum 3 s)", False,
     "Time trap: held, sent 1.2 s after the form was shown (minimum 3 s)"),
    (Step.RULES, Outcome.PASS, "no list entry matched", False,
     "Moderators' lists: passed, no entry matched"),
    (Step.RULES, Outcome.SPAM, 'disallowed word "casino"', False,
     'Moderators\' lists: spam, disallowed word "casino"'),
    (Step.RULES, Outcome.SPAM, "disallowed IP address 198.51.100.7", False,
     "Moderators' lists: spam, disallowed IP address 198.51.100.7"),
    (Step.RULES, Outcome.SPAM, "disallowed email @junk.example", False,
     "Moderators' lists: spam, disallowed email @junk.example"),
    (Step.RULES, Outcome.HOLD, 'moderation word "kill"', False,
     'Moderators\' lists: held, moderation word "kill"'),
    (Step.LINKS, Outcome.PASS, "0 links", False, "Links: passed, none"),
    (Step.LINKS, Outcome.PASS, "1 link", False, "Links: passed, 1 found"),
    (Step.LINKS, Outcome.HOLD, "3 links (held at 2 or more)", False,
     "Links: held, 3 found (2 or more wait for a person)"),
    (Step.AKISMET, Outcome.SKIPPED, "skipped: not configured", False,
     "Akismet: skipped, not configured"),
    (Step.AKISMET, Outcome.ERROR, "spam check unavailable: Akismet timed out; will retry", False,
     "Akismet: unavailable, timed out; will retry"),
    (Step.AKISMET, Outcome.ERROR,
     f"spam check unavailable: Akismet could not be reached; not retried by itself; {RETRY}",
     False, f"Akismet: unavailable, could not be reached; not retried by itself; {RETRY}"),
    (Step.AKISMET, Outcome.ERROR,
     f"spam check unavailable: the Akismet API key is invalid; gave up after 6 tries; {RETRY}",
     False, f"Akismet: unavailable, the API key is invalid; gave up after 6 tries; {RETRY}"),
    (Step.AKISMET, Outcome.ERROR,
     "spam check unavailable: unexpected answer from Akismet; will retry", False,
     "Akismet: unavailable, an unexpected answer; will retry"),
    (Step.AKISMET, Outcome.ERROR, "spam check unavailable: Akismet error; will retry", False,
     "Akismet: unavailable, an error on its side; will retry"),
    (Step.AKISMET, Outcome.PASS, "Akismet: not spam", False, "Akismet: not spam"),
    (Step.AKISMET, Outcome.SPAM, "Akismet: spam", False, "Akismet: spam"),
    (Step.AKISMET, Outcome.SPAM, "Akismet: blatant spam (discard)", False,
     "Akismet: blatant spam (discard)"),
    (Step.POLICY, Outcome.HOLD, "held for review: first comment from this author", False,
     "Held for review: first comment from this author"),
    (Step.POLICY, Outcome.HOLD,
     "held for review: Akismet is not configured; first comment from this author", False,
     "Held for review: Akismet is not configured; first comment from this author"),
    (Step.POLICY, Outcome.HOLD,
     "held for review: 3 links (held at 2 or more); readers have reported it", False,
     "Held for review: links, 3 found (2 or more wait for a person); readers have reported it"),
    (Step.POLICY, Outcome.HOLD, "held for review: every comment is held", False,
     "Held for review: every comment, by site setting"),
    (Step.POLICY, Outcome.SPAM, "spam: the hidden field was filled in", False,
     "Spam: the hidden field was filled in"),
    (Step.POLICY, Outcome.SPAM, 'spam: disallowed word "casino"', False,
     'Spam: disallowed word "casino"'),
    (Step.POLICY, Outcome.SPAM, "Akismet: spam", False, "Spam: Akismet's verdict"),
    (Step.POLICY, Outcome.SPAM, "Akismet: blatant spam (discard)", False,
     "Spam: Akismet's verdict, blatant (discard)"),
    (Step.POLICY, Outcome.APPROVE,
     "approved: every check passed and the author has an approved comment", False,
     "Approved: every check passed, and this author was published before"),
    (Step.MODERATOR, Outcome.APPROVE, "Approve by alice", True, "Approved by alice"),
    (Step.MODERATOR, Outcome.APPROVE, "Not spam by alice", True, "Approved by alice: not spam"),
    (Step.MODERATOR, Outcome.SPAM, "Spam by alice", True, "Marked as spam by alice"),
    (Step.MODERATOR, Outcome.REMOVE, "Remove by alice (2 reports upheld)", True,
     "Removed by alice (2 reports upheld)"),
    (Step.MODERATOR, Outcome.REMOVE, "Remove by bob: cruel to other readers", False,
     "Removed by bob: cruel to other readers"),
    (Step.MODERATOR, Outcome.RESTORE, "Restore by alice", True, "Restored by alice"),
    (Step.MODERATOR, Outcome.RESTORE, "Restored to the queue by alice (never approved)", True,
     "Restored to the queue by alice (never approved)"),
    (Step.MODERATOR, Outcome.KEEP, "Keep by alice (1 report dismissed)", True,
     "Kept by alice (1 report dismissed)"),
    (Step.FEEDBACK, Outcome.QUEUED, "submit-spam queued", False,
     "Akismet feedback: queued, “this is spam”"),
    (Step.FEEDBACK, Outcome.SENT, "submit-ham sent", False,
     "Akismet feedback: sent, “this is not spam”"),
    (Step.FEEDBACK, Outcome.ERROR,
     "submit-spam failed: spam check unavailable: Akismet timed out", False,
     "Akismet feedback: unavailable, “this is spam” not delivered (timed out)"),
    (Step.FEEDBACK, Outcome.SKIPPED, "not sent: the comment was deleted or erased", False,
     "Akismet feedback: skipped, the comment was deleted or erased"),
    (Step.EDITED, Outcome.HOLD, "edited by its writer; screened again", False,
     "Edited by its writer: held and screened again"),
    (Step.WITHDRAWN, Outcome.REMOVE, "deleted by its writer", False, "Deleted by its writer"),
    (Step.ERASED, Outcome.REMOVE, "erased on request", True, "Erased on request by alice"),
    (Step.REPORT, Outcome.REPORTED, "Harassment or abuse: “Cruel to a survivor.”", False,
     "Reported by a reader: harassment or abuse, “Cruel to a survivor.”"),
    (Step.REPORT, Outcome.REPORTED, "Reveals someone’s identity or private details", False,
     "Reported by a reader: reveals someone’s identity or private details"),
    (Step.REPORT, Outcome.HOLD, "hidden after 3 reports", False,
     "Hidden from readers after 3 reports, until a moderator decides"),
    (Step.IMPORTED, Outcome.APPROVE,
     "Imported from WordPress (https://old.example, comment 12, approved=1); never screened here",
     False, "Imported from WordPress: approved there, its comment 12 on https://old.example;"
     " never screened here"),
    (Step.IMPORTED, Outcome.HOLD,
     "Imported from WordPress (https://old.example, comment 13, approved=0); never screened here",
     False, "Imported from WordPress: held there, its comment 13 on https://old.example;"
     " never screened here"),
    (Step.BAN, Outcome.SET, "Email x@example.org until 9 Jan 2027, 10:00: harassment", True,
     "Banned by alice: email x@example.org until 9 Jan 2027, 10:00 (harassment)"),
    (Step.BAN, Outcome.SET, "IP range 203.0.113.0/24 permanently: came back as three names", True,
     "Banned by alice: IP range 203.0.113.0/24 permanently (came back as three names)"),
    (Step.BAN, Outcome.SKIPPED, "a report was not counted: sent from a banned address", False,
     "Report not counted: sent from a banned address"),
    (Step.BAN, Outcome.SKIPPED,  # as written before: the ban, which names the reporter, not shown
     "a report was not counted: sent from a banned address (IP address 203.0.113.5)", False,
     "Report not counted: sent from a banned address"),
    (Step.BAN, Outcome.SPAM, "Email domain @junk.example permanently: harassment", False,
     "Banned: spam, email domain @junk.example permanently (harassment)"),
    (Step.BAN, Outcome.SPAM, "Email x@example.org is banned until 9 Jan 2027, 10:00: threats",
     False, "Banned: spam, email x@example.org until 9 Jan 2027, 10:00 (threats)"),
    (Step.POLICY, Outcome.SPAM, "spam: Email x@example.org is banned", False,
     "Spam: email x@example.org is banned"),
    (Step.POLICY, Outcome.HOLD, "held for review: the essay's policy holds every new comment",
     False, "Held for review: the essay's policy holds every new comment"),
    (Step.POLICY, Outcome.HOLD, "held for review: comments on the essay were closed", False,
     "Held for review: comments on the essay were closed"),
    (Step.POLICY, Outcome.HOLD,
     "held for review: the essay's policy publishes only trusted returning authors", False,
     "Held for review: the essay's policy publishes only trusted returning authors"),
    (Step.POLICY, Outcome.APPROVE,
     "approved: every check passed and the essay's policy trusts this returning author", False,
     "Approved: every check passed and the essay's policy trusts this returning author"),
    (Step.ESSAY_POLICY, Outcome.SET,
     "Hold every new comment for a moderator, until 9 Jan 2027, 10:00: a wave of abuse", True,
     "Essay policy set by alice: hold every new comment for a moderator, until 9 Jan 2027,"
     " 10:00 (a wave of abuse)"),
    (Step.ESSAY_POLICY, Outcome.SET, "As the site: the wave is over", True,
     "Essay policy set by alice: as the site (the wave is over)"),
]  # fmt: skip
# Little words any line may say twice.
SMALL = {"by", "a", "an", "the", "of", "its", "for", "and", "to", "on"}


def decision(step, outcome, reason, by_alice=False) -> Decision:
    made = Decision(step=step, outcome=outcome, reason=reason)
    if by_alice:
        made.actor = get_user_model()(pk=1, username=ALICE)
    return made


def repeated_words(d: Decision, line: str) -> list[str]:
    """Words of the decision's step or outcome that the line says more than once."""
    names = [d.get_step_display(), STEP_NAMES.get(d.step, ""), d.get_outcome_display(),
             OUTCOME_WORDS[d.outcome]]  # fmt: skip
    words = {w.casefold().strip("()") for name in names for w in name.split()} - SMALL
    return [
        w for w in sorted(words)
        if len(re.findall(rf"\b{re.escape(w)}\b", line, re.IGNORECASE)) > 1
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("step", "outcome", "reason", "by_alice", "expected"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)],
)
def test_each_decision_reads_once(step, outcome, reason, by_alice, expected):
    made = decision(step, outcome, reason, by_alice)
    line = describe(made)
    assert line == expected
    assert repeated_words(made, line) == []


def test_the_cases_cover_every_step_and_outcome_that_is_recorded():
    steps = {c[0] for c in CASES}
    outcomes = {c[1] for c in CASES}
    assert steps == set(Step)
    assert outcomes == set(Outcome)


def test_the_issues_examples_no_longer_repeat_themselves():
    skipped = decision(Step.AKISMET, Outcome.SKIPPED, "skipped: not configured")
    held = decision(Step.POLICY, Outcome.HOLD, "held for review: first comment from this author")
    assert describe(skipped) == "Akismet: skipped, not configured"
    assert describe(held) == "Held for review: first comment from this author"


def test_the_repeat_check_catches_the_old_wording():
    old = decision(Step.AKISMET, Outcome.SKIPPED, "skipped: not configured")
    assert repeated_words(old, "Akismet: Skipped (skipped: not configured)") == ["skipped"]


@pytest.mark.parametrize(
    ("step", "outcome", "reason", "by_alice", "expected"),
    [
        (Step.AKISMET, Outcome.SKIPPED, "skipped: a reason written later", False,
         "Akismet: skipped, a reason written later"),
        (Step.LINKS, Outcome.HOLD, "Links: 9 found in the name", False,
         "Links: held, 9 found in the name"),
        (Step.POLICY, Outcome.HOLD, "something new", False, "Held for review: something new"),
        (Step.MODERATOR, Outcome.REMOVE, "Removed: spam wave", True,
         "Removed by alice: spam wave"),
        (Step.ESSAY_POLICY, Outcome.HOLD, "held: every new comment on this essay is held", False,
         "Essay policy: every new comment on this essay is held"),
        (Step.EDITED, Outcome.HOLD, "", False, "Edited by its writer: held"),
        (Step.MODERATOR, Outcome.APPROVE, "", False, "Approved by a moderator"),
    ],
)  # fmt: skip
def test_a_reason_in_a_new_shape_is_shown_after_its_step_and_outcome(
    step, outcome, reason, by_alice, expected
):
    assert describe(decision(step, outcome, reason, by_alice)) == expected


@pytest.mark.django_db
def test_the_filter_escapes_what_readers_wrote():
    made = decision(Step.REPORT, Outcome.REPORTED, "Other: “<script>alert(1)</script>”")
    html = Template("{% load decisions %}{{ decision|describe }}").render(
        Context({"decision": made})
    )
    assert html == "Reported by a reader: other, “&lt;script&gt;alert(1)&lt;/script&gt;”"


@pytest.mark.django_db
def test_what_screening_and_a_moderator_record_reads_once(akismet_client, settings):
    """The reasons as the pipeline writes them today, so a change there shows up here."""
    settings.PYTHON_AKISMET_API_KEY = ""
    essay = make_essay()
    comment = make_pending(essay, body="See https://a.example and https://b.example")
    screen(comment.pk)
    moderator = make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    comment.refresh_from_db()
    moderate(comment=comment, action="approve", moderator=moderator)
    record_report(comment, reason="harassment", note="Cruel.", reporter="r1")
    lines = [describe(d) for d in comment.decisions.select_related("actor")]
    assert lines == [
        "Honeypot: passed, the hidden field was empty",
        "Time trap: passed, sent after 30 s",
        "Moderators' lists: passed, no entry matched",
        "Links: held, 2 found (2 or more wait for a person)",
        "Akismet: skipped, not configured",
        "Held for review: links, 2 found (2 or more wait for a person); Akismet is not configured",
        "Approved by mod",
        "Reported by a reader: harassment or abuse, “Cruel.”",
    ]
