from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self):
        from moderation import logins, receivers  # noqa: F401  (connect the signal receivers)
