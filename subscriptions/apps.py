from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Email subscriptions"

    def ready(self):
        from subscriptions import privacy, receivers  # noqa: F401  (connect the receivers)
        from subscriptions.bounces import connect_anymail

        connect_anymail()
