"""Create the "Moderators" group: work the queue, act on comments, keep the word lists."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATOR_PERMISSIONS = [
    ("comments", "moderate_comment"),
    ("comments", "view_comment"),
    ("comments", "change_comment"),
    ("moderation", "view_decision"),
    ("moderation", "add_listentry"),
    ("moderation", "change_listentry"),
    ("moderation", "delete_listentry"),
    ("moderation", "view_listentry"),
]


def create_moderators(apps, schema_editor):
    for label in ("comments", "moderation"):
        app_config = apps.get_app_config(label)
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    for app_label, codename in MODERATOR_PERMISSIONS:
        moderators.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_moderators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Moderators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("comments", "0002_form_facts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_moderators, remove_moderators)]
