from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from django.db.models.signals import post_delete

        from blog.caching import register_essay_page, register_site_pages
        from comments import checks  # noqa: F401  (registers the system checks)
        from comments.caching import SITE_KEY, essay_key, essay_page_state
        from comments.models import Comment
        from comments.services import comment_deleted

        # What blog's essay pages and list show of comments, so blog never imports comments.
        register_essay_page(version_keys=lambda pk: [essay_key(pk)], state=essay_page_state)
        register_site_pages(version_keys=[SITE_KEY])
        post_delete.connect(
            comment_deleted, sender=Comment, weak=False, dispatch_uid="comments.deleted"
        )
