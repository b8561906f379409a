from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from django.db.models.signals import post_delete

        from comments import checks  # noqa: F401  (registers the system checks)
        from comments.models import Comment
        from comments.services import comment_deleted

        post_delete.connect(
            comment_deleted, sender=Comment, weak=False, dispatch_uid="comments.deleted"
        )
