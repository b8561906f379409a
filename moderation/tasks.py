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

    The worker starts it (`manage.py db_worker` schedules it if it is not waiting already,
    see moderation's db_worker command); `manage.py schedule_maintenance` does the same by
    hand. Without a task backend that can run tasks later, run the purge commands from cron.
    """
    from django.core.management import call_command

    from moderation.privacy import purge_personal_data
    from moderation.signals import daily_maintenance as maintenance_done

    cleared = purge_personal_data()
    call_command("purge_spam", stdout=io.StringIO())
    schedule_next_maintenance()
    others = {
        getattr(receiver, "__module__", "?"): answer
        if not isinstance(answer, Exception)
        else repr(answer)
        for receiver, answer in maintenance_done.send_robust(sender=None)
    }
    return {"cleared": cleared, **others}


def _waiting_maintenance():
    """The daily_maintenance runs queued and not yet started, when the backend can say
    (django-tasks-db's table); None when it cannot."""
    backend = daily_maintenance.get_backend()
    if not type(backend).__module__.startswith("django_tasks_db"):
        return None
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=daily_maintenance.module_path, status=TaskResultStatus.READY
    )


def schedule_next_maintenance() -> bool:
    """Queue the next daily_maintenance run, unless one is already waiting or the backend
    cannot defer tasks; whether one is waiting now."""
    if not default_task_backend.supports_defer:
        return False
    waiting = _waiting_maintenance()
    if waiting is None or not waiting.exists():
        daily_maintenance.using(run_after=timezone.now() + MAINTENANCE_EVERY).enqueue()
    return True


def ensure_maintenance_scheduled() -> bool:
    """Start the daily maintenance (now) unless a run is already waiting: safe to call at
    every worker start. Whether maintenance runs on this backend."""
    if not default_task_backend.supports_defer:
        return False
    waiting = _waiting_maintenance()
    if waiting is None or not waiting.exists():
        daily_maintenance.enqueue()
    return True
