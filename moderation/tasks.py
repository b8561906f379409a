"""Background tasks (django.tasks): screening new comments and Akismet feedback."""

from django.tasks import task

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


@task
def purge_personal_data_task() -> int:
    """The daily privacy purge, for schedulers that run tasks (see the README)."""
    from moderation.privacy import purge_personal_data

    return purge_personal_data()
