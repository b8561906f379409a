from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from django.db.models.signals import post_delete

        from blog.caching import register_essay_page, register_site_pages
        from comments import checks  # noqa: F401  (registers the system checks)
        from comments.caching import SITE_KEY, comments_changed, essay_key, essay_page_state
        from comments.models import Comment

        # What blog's essay pages and list show of comments, so blog never imports comments.
        register_essay_page(version_keys=lambda pk: [essay_key(pk)], state=essay_page_state)
        register_site_pages(version_keys=[SITE_KEY])

        def deleted(sender, instance, **kwargs):
            comments_changed(instance.essay_id)  # also for bulk deletes in the admin

        post_delete.connect(deleted, sender=Comment, weak=False, dispatch_uid="comments.deleted")
