"""An essay's own comment policy: hold everything, trust only returning authors, or close.

Moderators set it from the queue or the admin when one essay draws a wave of abuse; it can
end by itself, after which the site's policy applies again. Each change is a Decision about
the essay, with who made it and why.
"""

from datetime import timedelta

from django.utils import timezone

from blog.models import CommentPolicy, Essay
from moderation.models import Decision
from moderation.refusals import Refused, end_time

# How long a policy set from the queue lasts; None until someone changes it.
POLICY_DURATIONS = {
    "": ("Until changed", None),
    "day": ("For a day", timedelta(days=1)),
    "week": ("For a week", timedelta(days=7)),
    "month": ("For a month", timedelta(days=30)),
}
# In the queue's menu, the one a moderator usually wants first.
QUEUE_CHOICES = [
    (CommentPolicy.HOLD, "Hold all new comments on this essay"),
    (CommentPolicy.TRUSTED, "Publish only trusted returning authors; hold the rest"),
    (CommentPolicy.CLOSED, "Close comments on this essay"),
    (CommentPolicy.SITE, "Back to the site's policy"),
]


class PolicyRefused(Refused):
    pass


def describe(policy: str, until) -> str:
    label = CommentPolicy(policy).label
    if policy and until is not None:
        return f"{label}, until {timezone.localtime(until):%-d %b %Y, %H:%M}"
    return label


def set_policy(*, essay: Essay, policy: str, reason: str, moderator, duration: str | None = None,
               until=None, comment=None, now=None) -> Decision:  # fmt: skip
    """Give the essay this policy (until `until`, or for `duration`), recorded as a Decision."""
    now = now or timezone.now()
    if policy not in CommentPolicy.values:
        raise PolicyRefused("Choose one of the policies listed.")
    reason = " ".join((reason or "").split())
    if not reason:
        raise PolicyRefused("Give a reason: the other moderators will read it.")
    if duration is not None:
        try:
            until = end_time(POLICY_DURATIONS, duration, now, what="policy")
        except Refused as exc:
            raise PolicyRefused(exc.message) from None
    if until is not None and until <= now:
        raise PolicyRefused("That end date is in the past: choose a later one, or none.")
    if policy == CommentPolicy.SITE:
        until = None
    essay.comment_policy, essay.comment_policy_until = policy, until
    # A save, not an update: the essay's cached pages are retired (blog.caching). Saved as
    # an Essay: a proxy's save (the admin's EssayCommentPolicy) sends post_save with the
    # proxy as sender, which blog's receivers do not hear.
    row = essay if type(essay) is Essay else Essay.objects.get(pk=essay.pk)
    row.comment_policy, row.comment_policy_until = policy, until
    row.save(update_fields=["comment_policy", "comment_policy_until"])
    return Decision.objects.create(
        essay=essay, comment=comment, step=Decision.Step.ESSAY_POLICY,
        outcome=Decision.Outcome.SET, actor=moderator,
        reason=f"{describe(policy, until)}: {reason}"[:500],
    )  # fmt: skip
