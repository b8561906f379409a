"""Template filters for showing moderation's Decisions: `{{ decision|describe }}`."""

from django import template

from moderation import wording

register = template.Library()


@register.filter
def describe(decision) -> str:
    """The decision in one line, each of its words said once (moderation.wording)."""
    return wording.describe(decision)
