"""Editors manage topics, series and authors as they manage essays and warnings."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["topic", "series", "seriespart", "author", "essayauthor"]
ACTIONS = ["add", "change", "delete", "view"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("blog")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="blog",
            codename__in=[f"{action}_{model}" for action in ACTIONS for model in MODELS],
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *editors.permissions.filter(
                content_type__app_label="blog", content_type__model__in=MODELS
            )
        )


class Migration(migrations.Migration):
    dependencies = [("blog", "0006_remove_essay_byline")]

    operations = [migrations.RunPython(grant, revoke)]
