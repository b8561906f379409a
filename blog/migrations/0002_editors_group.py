"""Create the "Editors" group with exactly the permissions publishing needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    ("blog", "add_essay"),
    ("blog", "change_essay"),
    ("blog", "delete_essay"),
    ("blog", "view_essay"),
    ("blog", "add_contentwarning"),
    ("blog", "change_contentwarning"),
    ("blog", "delete_contentwarning"),
    ("blog", "view_contentwarning"),
]


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("blog")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for app_label, codename in EDITOR_PERMISSIONS:
        editors.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
