from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Essays"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from blog.caching import essays_changed
        from blog.models import ContentWarning, Essay

        def changed(sender, **kwargs):
            essays_changed()

        for model in (Essay, ContentWarning):
            name = model.__name__
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"blog.save.{name}")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"blog.del.{name}")
        m2m_changed.connect(
            changed, sender=Essay.warnings.through, weak=False, dispatch_uid="blog.cache.m2m"
        )
