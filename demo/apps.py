from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content for `make run`. It sits above every other app, so it may use them all."""

    name = "demo"
