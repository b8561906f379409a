from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from django.db.models.signals import post_delete

        from comments import checks  # noqa: F401  (registers the system checks)
        from comments.caching import comments_changed
        from comments.models import Comment

        def deleted(sender, instance, **kwargs):
            comments_changed(instance.essay_id)  # also for bulk deletes in the admin

        post_delete.connect(deleted, sender=Comment, weak=False, dispatch_uid="comments.deleted")
