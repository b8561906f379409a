"""A Decision in words a moderator reads once: "Akismet: skipped, not configured".

A Decision's reason is written for the record, and often starts by saying its step or
outcome again ("skipped: not configured", "held for review: ..."). `describe` turns a
Decision into one line for the queue and the commenter page: who or what decided, what,
and why, each said once. Reasons are written by screening, the moderator actions, reports,
the writer's edits and deletes, erasure and the WordPress import, in the shapes matched
here; a reason in any other shape is shown as it is, after the step and outcome, with a
leading repeat of either dropped.
"""

import re

from moderation.models import Decision, Report

Step, Outcome = Decision.Step, Decision.Outcome

# How an outcome is said after the name of the step that reached it.
OUTCOME_WORDS = {
    Outcome.PASS: "passed",
    Outcome.HOLD: "held",
    Outcome.SPAM: "spam",
    Outcome.APPROVE: "approved",
    Outcome.REMOVE: "removed",
    Outcome.RESTORE: "restored",
    Outcome.SKIPPED: "skipped",
    Outcome.ERROR: "unavailable",
    Outcome.QUEUED: "queued",
    Outcome.SENT: "sent",
    Outcome.REPORTED: "reported",
    Outcome.KEEP: "kept",
    Outcome.SET: "set",
}
# A step's name at the start of its line, where the model's label would say a word twice
# ('Word and address lists: spam, disallowed word "casino"').
STEP_NAMES = {Step.RULES: "Moderators' lists"}
# What a moderator's action is called in the reason the action writes ("Approve by alice").
ACTION_LABELS = "Approve|Not spam|Spam|Remove|Restore|Keep"
MODERATOR_ACTION = re.compile(
    rf"^(?P<label>{ACTION_LABELS}) by (?P<who>.+?)(?:: (?P<why>.+?))?"
    r"(?: \((?P<reports>\d+ reports? (?:dismissed|upheld))\))?$",
    re.DOTALL,
)
BACK_TO_QUEUE = re.compile(
    r"^Restored to the queue by (?P<who>.+?) \(never approved\)"
    r"(?: \((?P<reports>\d+ reports? (?:dismissed|upheld))\))?$"
)
LINKS_HELD = re.compile(r"^(?P<n>\d+) links \(held at (?P<limit>\d+) or more\)$")
LINKS_COUNTED = re.compile(r"^(?P<n>\d+) links?$")
FEEDBACK = re.compile(r"^submit-(?P<kind>spam|ham) (?P<what>queued|sent|failed)(?:: (?P<why>.*))?$")
IMPORTED = re.compile(
    r"^Imported from (?P<source>\w+) \((?P<site>.*), comment (?P<id>[^,]+), approved=[^)]*\);"
    r" never screened here$"
)
# A ban as moderation.bans writes it: its label, how long, and the moderator's reason.
BAN = re.compile(
    r"^(?P<what>.+?) (?P<until>permanently|until \d{1,2} \w+ \d{4}, \d\d:\d\d): (?P<why>.+)$",
    re.DOTALL,
)
# (Rows written before the ban was left out name it in brackets: never shown, as it names
# the reporter.)
NOT_COUNTED = re.compile(r"^a report was not counted: sent from a banned address(?: \(.+\))?$")
# Reasons of the local checks that would say their step's name again.
LOCAL_REASONS = {
    "no list entry matched": "no entry matched",
    "form time stamp missing or not genuine": "the form's timestamp was missing or not genuine",
}
AKISMET_VERDICTS = {"Akismet: not spam", "Akismet: spam", "Akismet: blatant spam (discard)"}
UNAVAILABLE = "spam check unavailable: "
# Akismet's errors name Akismet; on a line that starts with it, they need not.
AKISMET_ERRORS = {
    "Akismet timed out": "timed out",
    "Akismet could not be reached": "could not be reached",
    "the Akismet API key is invalid": "the API key is invalid",
    "unexpected answer from Akismet": "an unexpected answer",
    "Akismet error": "an error on its side",
}


def describe(decision: Decision) -> str:
    """One line saying who or what decided, what, and why, each once."""
    reason = " ".join((decision.reason or "").split())
    line = _SHAPES.get(decision.step, _in_general)(decision, reason)
    return line or _in_general(decision, reason)


def _actor(decision: Decision, named: str = "") -> str:
    """Who acted: the user, else the name the reason gives, else "a moderator"."""
    if decision.actor_id:
        return decision.actor.get_username()
    return named or "a moderator"


def _outcome_word(decision: Decision) -> str:
    return OUTCOME_WORDS.get(decision.outcome, decision.get_outcome_display().lower())


def _step_name(decision: Decision) -> str:
    if decision.step == Step.BAN and not decision.actor_id:
        return "Banned"  # a comment caught by a ban; with an actor, a ban being set
    return STEP_NAMES.get(decision.step) or decision.get_step_display()


def _lower_first(text: str) -> str:
    """ "Email a@b" -> "email a@b", but "IP address" stays as it is."""
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _says(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) is not None


def _drop_leading(reason: str, *words: str) -> str:
    """The reason without a leading "<word>: " for any of `words`, however many times."""
    pattern = re.compile(
        r"^(?:" + "|".join(re.escape(w) for w in words if w) + r")\s*:\s*", re.IGNORECASE
    )
    while (shorter := pattern.sub("", reason, count=1)) != reason:
        reason = shorter
    return reason


def _in_general(decision: Decision, reason: str) -> str:
    """ "<Step>: <outcome>, <reason>", or "<Step> <outcome> by <who>: <reason>"."""
    name, word = _step_name(decision), _outcome_word(decision)
    reason = _drop_leading(
        reason, name, decision.get_step_display(), decision.get_outcome_display(), word
    )
    if decision.actor_id:
        head = f"{name} {word} by {_actor(decision)}"
        return f"{head}: {reason}" if reason else head
    if not reason:
        return f"{name}: {word}"
    if _says(reason, word):
        return f"{name}: {reason}"
    return f"{name}: {word}, {reason}"


def _local_check(decision: Decision, reason: str) -> str:
    """Honeypot, time trap, lists: their reasons already read well after the outcome."""
    reason = LOCAL_REASONS.get(reason, reason)
    # Always say the outcome: a value the reason quotes may contain its word (@spam.example).
    head = f"{_step_name(decision)}: {_outcome_word(decision)}"
    return f"{head}, {reason}" if reason else head


def _links(decision: Decision, reason: str) -> str | None:
    if held := LINKS_HELD.match(reason):
        return f"Links: held, {_links_held(held)}"
    if counted := LINKS_COUNTED.match(reason):
        n = int(counted["n"])
        return f"Links: passed, {f'{n} found' if n else 'none'}"
    return None


def _links_held(match: re.Match) -> str:
    return f"{match['n']} found ({match['limit']} or more wait for a person)"


def _akismet(decision: Decision, reason: str) -> str | None:
    if decision.outcome == Outcome.ERROR:
        return f"Akismet: unavailable, {_akismet_error(reason)}"
    return reason if reason in AKISMET_VERDICTS else None  # they already read well


def _akismet_error(reason: str) -> str:
    """ "spam check unavailable: Akismet timed out; will retry" -> "timed out; will retry"."""
    error, sep, retry = reason.removeprefix(UNAVAILABLE).partition("; ")
    error = AKISMET_ERRORS.get(error, error)
    return f"{error}{sep}{retry}"


def _policy(decision: Decision, reason: str) -> str | None:
    """The screening's verdict, said as the outcome first: "Held for review: ..."."""
    if decision.outcome == Outcome.HOLD and reason.startswith("held for review: "):
        holds = reason.removeprefix("held for review: ").split("; ")
        return "Held for review: " + "; ".join(_hold(h) for h in holds)
    if decision.outcome == Outcome.SPAM:
        if reason == "Akismet: spam":
            return "Spam: Akismet's verdict"
        if reason == "Akismet: blatant spam (discard)":
            return "Spam: Akismet's verdict, blatant (discard)"
        if reason.startswith("spam: "):
            return "Spam: " + _lower_first(_hold(reason.removeprefix("spam: ")))
    if decision.outcome == Outcome.APPROVE and reason == (
        "approved: every check passed and the author has an approved comment"
    ):
        return "Approved: every check passed, and this author was published before"
    label = decision.get_outcome_display()
    reason = _drop_leading(reason, label, _outcome_word(decision))
    return f"{label}: {reason}" if reason else label


def _hold(reason: str) -> str:
    """One reason a policy line quotes from an earlier step, without saying "held" again."""
    if reason == "every comment is held":
        return "every comment, by site setting"
    if held := LINKS_HELD.match(reason):
        return f"links, {_links_held(held)}"
    return reason


def _moderator(decision: Decision, reason: str) -> str | None:
    """ "Approve by alice (2 reports dismissed)" -> "Approved by alice (2 reports dismissed)"."""
    if decision.outcome == Outcome.RESTORE and (back := BACK_TO_QUEUE.match(reason)):
        line = f"Restored to the queue by {_actor(decision, back['who'])} (never approved)"
        return line + (f" ({back['reports']})" if back["reports"] else "")
    done = {
        Outcome.APPROVE: "Approved",
        Outcome.SPAM: "Marked as spam",
        Outcome.REMOVE: "Removed",
        Outcome.RESTORE: "Restored",
        Outcome.KEEP: "Kept",
    }.get(decision.outcome, decision.get_outcome_display())
    action = MODERATOR_ACTION.match(reason)
    why = [] if action else [_drop_leading(reason, done, _outcome_word(decision))]
    if action:
        if action["label"] == "Not spam":
            why.append("not spam")
        if action["why"]:
            why.append(action["why"])
    line = f"{done} by {_actor(decision, action['who'] if action else '')}"
    if why := ", ".join(w for w in why if w):
        line += f": {why}"
    if action and action["reports"]:
        line += f" ({action['reports']})"
    return line


def _feedback(decision: Decision, reason: str) -> str | None:
    """Akismet told it was wrong: "Akismet feedback: sent, “this is spam”"."""
    if decision.outcome == Outcome.SKIPPED:
        return "Akismet feedback: skipped, " + reason.removeprefix("not sent: ")
    sent = FEEDBACK.match(reason)
    if sent is None:
        return None
    message = "“this is spam”" if sent["kind"] == "spam" else "“this is not spam”"
    if sent["what"] == "failed":
        error = _akismet_error(sent["why"] or "")
        return f"Akismet feedback: unavailable, {message} not delivered ({error})"
    return f"Akismet feedback: {sent['what']}, {message}"


def _edited(decision: Decision, reason: str) -> str | None:
    if reason == "edited by its writer; screened again":
        return "Edited by its writer: held and screened again"
    return None


def _withdrawn(decision: Decision, reason: str) -> str | None:
    return "Deleted by its writer" if reason == "deleted by its writer" else None


def _erased(decision: Decision, reason: str) -> str | None:
    if reason != "erased on request":
        return None
    return f"Erased on request by {_actor(decision)}" if decision.actor_id else "Erased on request"


def _report(decision: Decision, reason: str) -> str | None:
    if decision.outcome == Outcome.REPORTED:
        label, _, note = reason.partition(": ")
        if label not in Report.Reason.labels:
            label, note = reason, ""
        line = f"Reported by a reader: {_lower_first(label)}"
        return f"{line}, {note}" if note else line
    if hidden := re.match(r"^hidden after (\d+) reports?$", reason):
        return f"Hidden from readers after {hidden[1]} reports, until a moderator decides"
    return None


def _ban(decision: Decision, reason: str) -> str | None:
    """ "Email a@b.example until 9 Jan 2027, 10:00: abuse" -> "Banned by alice: email ..."."""
    if NOT_COUNTED.match(reason):
        return "Report not counted: sent from a banned address"
    reason = _drop_leading(reason, "banned", "ban")
    ban = BAN.match(reason)
    if ban is None:
        return None
    banned = ban["what"].removesuffix(" is banned")  # as screening names the ban it met
    what = f"{_lower_first(banned)} {ban['until']} ({ban['why']})"
    if decision.outcome == Outcome.SET:
        return f"Banned by {_actor(decision)}: {what}"
    return f"Banned: {_outcome_word(decision)}, {what}"


def _essay_policy(decision: Decision, reason: str) -> str | None:
    """ "Hold every new comment ..., until 9 Jan 2027, 10:00: abuse" -> "... (abuse)"."""
    policy, _, why = reason.partition(": ")
    if decision.outcome != Outcome.SET or not why:
        return None
    return f"Essay policy set by {_actor(decision)}: {_lower_first(policy)} ({why})"


def _imported(decision: Decision, reason: str) -> str | None:
    if source := IMPORTED.match(reason):
        return (
            f"Imported from {source['source']}: {_outcome_word(decision)} there, its comment "
            f"{source['id']} on {source['site']}; never screened here"
        )
    return None


_SHAPES = {
    Step.HONEYPOT: _local_check,
    Step.TIME_TRAP: _local_check,
    Step.RULES: _local_check,
    Step.LINKS: _links,
    Step.AKISMET: _akismet,
    Step.POLICY: _policy,
    Step.MODERATOR: _moderator,
    Step.FEEDBACK: _feedback,
    Step.EDITED: _edited,
    Step.WITHDRAWN: _withdrawn,
    Step.ERASED: _erased,
    Step.REPORT: _report,
    Step.IMPORTED: _imported,
    Step.BAN: _ban,
    Step.ESSAY_POLICY: _essay_policy,
}
