from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    # The admin's section ("Home › Publishing › Essays"); "Essays" twice read as a mistake.
    verbose_name = "Publishing"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

        from blog import search
        from blog.caching import essays_changed
        from blog.models import (
            Author,
            ContentWarning,
            Essay,
            EssayAuthor,
            EssayWarning,
            Series,
            SeriesPart,
            Topic,
        )

        def changed(sender, **kwargs):
            essays_changed()

        for model in (
            Essay, ContentWarning, Topic, Author, EssayAuthor, EssayWarning, Series, SeriesPart,
        ):  # fmt: skip
            name = model.__name__
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"blog.save.{name}")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"blog.del.{name}")
        for through in (Essay.warnings.through, Essay.topics.through):
            m2m_changed.connect(
                changed, sender=through, weak=False, dispatch_uid=f"blog.m2m.{through.__name__}"
            )

        # The stored search vector follows the essay, its topics and its authors.
        def essay_saved(sender, instance, raw=False, **kwargs):
            if not raw:
                search.refresh_search_vectors([instance.pk])

        def byline_changed(sender, instance, raw=False, **kwargs):
            if not raw:
                search.refresh_search_vectors([instance.essay_id])

        def topics_changed(sender, instance, action, reverse, pk_set, **kwargs):
            if action in ("post_add", "post_remove", "post_clear"):
                ids = pk_set if reverse else [instance.pk]
                search.refresh_search_vectors(None if reverse and pk_set is None else ids)

        def name_changed(sender, instance, raw=False, **kwargs):
            if not raw:
                search.refresh_search_vectors(instance.essays.values("pk"))

        def topic_deleting(sender, instance, **kwargs):
            instance._essay_ids = list(instance.essays.values_list("pk", flat=True))

        def topic_deleted(sender, instance, **kwargs):
            search.refresh_search_vectors(getattr(instance, "_essay_ids", []))

        pre_delete.connect(topic_deleting, sender=Topic, weak=False,
                           dispatch_uid="blog.search.topic.pre_del")  # fmt: skip
        post_delete.connect(topic_deleted, sender=Topic, weak=False,
                            dispatch_uid="blog.search.topic.del")  # fmt: skip
        post_save.connect(essay_saved, sender=Essay, weak=False, dispatch_uid="blog.search.essay")
        for model in (Topic, Author):
            post_save.connect(name_changed, sender=model, weak=False,
                              dispatch_uid=f"blog.search.{model.__name__}")  # fmt: skip
        post_save.connect(byline_changed, sender=EssayAuthor, weak=False,
                          dispatch_uid="blog.search.byline")  # fmt: skip
        post_delete.connect(byline_changed, sender=EssayAuthor, weak=False,
                            dispatch_uid="blog.search.byline.del")  # fmt: skip
        m2m_changed.connect(topics_changed, sender=Essay.topics.through, weak=False,
                            dispatch_uid="blog.search.topics")  # fmt: skip

        self._announce_publishing(Essay)

    @staticmethod
    def _announce_publishing(Essay):
        """essay_published, once per save that publishes an essay or moves its date."""
        from django.db import transaction
        from django.db.models.signals import post_save, pre_save

        from blog.signals import essay_published

        def remember_state(sender, instance, raw=False, **kwargs):
            before = None
            if instance.pk and not raw:
                before = (
                    Essay.objects.filter(pk=instance.pk)
                    .values_list("status", "published_at")
                    .first()
                )
            instance._state_before_save = before

        def announce(sender, instance, raw=False, **kwargs):
            if raw or instance.status != Essay.Status.PUBLISHED:
                return
            if getattr(instance, "_state_before_save", None) == (
                Essay.Status.PUBLISHED, instance.published_at,
            ):  # fmt: skip
                return
            transaction.on_commit(
                lambda: essay_published.send(sender=Essay, essay=instance), robust=True
            )

        pre_save.connect(remember_state, sender=Essay, weak=False,
                         dispatch_uid="blog.published.before")  # fmt: skip
        post_save.connect(announce, sender=Essay, weak=False, dispatch_uid="blog.published")
