"""Moderation's answers to what comments announces (connected in ModerationConfig.ready)."""

from django.dispatch import receiver

from comments.signals import (
    CommentRefused,
    comment_edited,
    comment_submitted,
    comment_will_be_posted,
    comment_withdrawn,
)
from moderation.limits import over_rate_limit

TOO_QUICK = (
    "You are commenting too quickly. Please wait a few minutes and send it again; your "
    "comment is below, so nothing is lost."
)


@receiver(comment_will_be_posted, dispatch_uid="moderation.flood_limit")
def flood_limit(sender, request_meta, **kwargs):
    """Refuse more than MODERATION_RATE comments per IP per window, before anything is saved."""
    if over_rate_limit(request_meta.ip_address):
        raise CommentRefused(TOO_QUICK, status=429)


@receiver(comment_submitted, dispatch_uid="moderation.screen_new_comment")
def screen_new_comment(sender, comment, **kwargs):
    from moderation.tasks import screen_comment

    screen_comment.enqueue(comment.pk)


@receiver(comment_edited, dispatch_uid="moderation.keep_replaced_words")
def keep_replaced_words(sender, comment, previous_body=None, **kwargs):
    """Moderators can read what an edit replaced (moderation.history)."""
    from moderation.history import keep_earlier_text

    if previous_body is not None:
        keep_earlier_text(
            comment=comment, body=previous_body, content_warning=kwargs["previous_warning"],
            written_at=kwargs["previous_written_at"],
        )  # fmt: skip


@receiver(comment_edited, dispatch_uid="moderation.screen_edited_comment")
def screen_edited_comment(sender, comment, **kwargs):
    """An edit starts screening over (Akismet is told it is a recheck after an edit), and
    the copies kept for Akismet feedback hold the new words, not the ones edited out."""
    from moderation.models import Decision
    from moderation.privacy import replace_stored_copies
    from moderation.tasks import screen_comment

    replace_stored_copies(comment)
    Decision.objects.create(
        comment=comment, step=Decision.Step.EDITED, outcome=Decision.Outcome.HOLD,
        reason="edited by its writer; screened again",
    )  # fmt: skip
    screen_comment.enqueue(comment.pk)


@receiver(comment_withdrawn, dispatch_uid="moderation.forget_withdrawn_comment")
def forget_withdrawn_comment(sender, comment, **kwargs):
    """The writer deleted their comment: drop the copies of it kept for Akismet too, and
    its earlier words (but not what an open report needs; moderation.history)."""
    from moderation.history import forget_withdrawn
    from moderation.models import Decision

    Decision.objects.filter(comment=comment).update(details={})
    forget_withdrawn(comment)
    Decision.objects.create(
        comment=comment, step=Decision.Step.WITHDRAWN, outcome=Decision.Outcome.REMOVE,
        reason="deleted by its writer",
    )  # fmt: skip
