"""Moderators may see who is subscribed to what, and turn an address off (never readers)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_address", "change_address", "view_subscription", "view_email"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("subscriptions")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    for codename in PERMISSIONS:
        moderators.permissions.add(
            Permission.objects.get(content_type__app_label="subscriptions", codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_initial"),
        ("moderation", "0002_moderators_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
