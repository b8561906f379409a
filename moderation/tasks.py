"""Background tasks (django.tasks): screening new comments and Akismet feedback."""

import io
from datetime import timedelta

from django.tasks import default_task_backend, task
from django.utils import timezone

from moderation import screening


@task
def screen_comment(comment_id: int) -> str | None:
    """Run the screening pipeline for one comment."""
    return screening.screen(comment_id)


@task
def send_feedback(decision_id: int) -> None:
    """Send a moderator's correction (submit-spam or submit-ham) to Akismet."""
    from moderation.services import deliver_feedback

    deliver_feedback(decision_id)


MAINTENANCE_EVERY = timedelta(days=1)


@task
def daily_maintenance() -> dict:
    """Clear old request data, purge old spam, then schedule itself for tomorrow.

    Started once with `manage.py schedule_maintenance` on a task backend that can run
    tasks later (django-tasks-db); without one, run the two purge commands from cron.
    """
    from django.core.management import call_command

    from moderation.privacy import purge_personal_data

    cleared = purge_personal_data()
    call_command("purge_spam", stdout=io.StringIO())
    schedule_next_maintenance()
    return {"cleared": cleared}


def schedule_next_maintenance() -> bool:
    """Queue the next daily_maintenance run, unless the backend cannot defer tasks."""
    if not default_task_backend.supports_defer:
        return False
    daily_maintenance.using(run_after=timezone.now() + MAINTENANCE_EVERY).enqueue()
    return True
