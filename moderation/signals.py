"""What moderation announces. Receivers live in the apps above it (subscriptions emails
the moderators); moderation never imports them.

comment_held is sent once a comment is waiting for a moderator and that has committed:
held by screening (tab "pending"), or hidden from readers by reports (tab "reported").
Sent only when MODERATION_NOTIFY_HELD is on.
"""

from django.dispatch import Signal

comment_held = Signal()  # kwargs: comment, reason (for moderators), tab ("pending"/"reported")
