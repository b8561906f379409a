"""What moderation announces. Receivers live in the apps above it (subscriptions emails
the moderators); moderation never imports them.

comment_held is sent once a comment is waiting for a moderator and that has committed:
held by screening (tab "pending"), or hidden from readers by reports (tab "reported").
Sent only when MODERATION_NOTIFY_HELD is on.

daily_maintenance is sent once a day by the worker's maintenance task, after moderation's
own purges, so apps above it can do theirs (subscriptions forgets stale requests and
sends whatever should have gone). Receivers' answers are returned in the task's result.
"""

from django.dispatch import Signal

daily_maintenance = Signal()  # no kwargs; sent by the daily maintenance task, after its own work
comment_held = Signal()  # kwargs: comment, reason (for moderators), tab ("pending"/"reported")
