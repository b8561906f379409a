"""System checks for the comment settings."""

from django.conf import settings
from django.core.checks import Error, register

from comments.models import SEGMENT_LENGTH, Comment


@register()
def check_max_depth(app_configs, **kwargs):
    deepest = Comment._meta.get_field("path").max_length // SEGMENT_LENGTH
    depth = settings.COMMENTS_MAX_DEPTH
    if not isinstance(depth, int) or not 1 <= depth <= deepest:
        return [
            Error(
                f"COMMENTS_MAX_DEPTH must be between 1 and {deepest}; it is {depth!r}.",
                id="comments.E001",
            )
        ]
    return []
