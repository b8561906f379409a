"""Essays order their own warnings: the many-to-many table gains a position.

The table Django made for the plain field stays (same name, same columns); only the model
state learns it is EssayWarning, and the new column is the one change to the database.
Existing rows are numbered in the site's display order, so every essay reads as before.
"""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ACTIONS = ["add", "change", "delete", "view"]


def number_in_display_order(apps, schema_editor):
    EssayWarning = apps.get_model("blog", "EssayWarning")
    rows = EssayWarning.objects.order_by(
        "essay_id", "warning__display_order", "warning__name"
    ).only("pk", "essay_id")
    numbered, essay_id, position = [], None, 0
    for row in rows.iterator():
        position = position + 1 if row.essay_id == essay_id else 1
        essay_id = row.essay_id
        row.position = position
        numbered.append(row)
    EssayWarning.objects.bulk_update(numbered, ["position"], batch_size=500)


def grant(apps, schema_editor):
    """Editors keep choosing an essay's warnings: the rows are now a model of their own."""
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
            codename__in=[f"{action}_essaywarning" for action in ACTIONS],
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *editors.permissions.filter(
                content_type__app_label="blog", content_type__model="essaywarning"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0009_comment_policy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EssayWarning",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "essay",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="blog.essay"
                            ),
                        ),
                        (
                            "warning",
                            models.ForeignKey(
                                db_column="contentwarning_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                to="blog.contentwarning",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "blog_essay_warnings",
                        "unique_together": {("essay", "warning")},
                    },
                ),
                migrations.AlterField(
                    model_name="essay",
                    name="warnings",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="essays",
                        through="blog.EssayWarning",
                        to="blog.contentwarning",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="essaywarning",
            name="position",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="Lowest is named first. Equal: the site's order."
            ),
        ),
        migrations.AlterModelOptions(
            name="essaywarning",
            options={
                "ordering": ["position", "warning__display_order", "warning__name"],
                "verbose_name": "content warning",
            },
        ),
        migrations.RunPython(number_in_display_order, migrations.RunPython.noop),
        migrations.RunPython(grant, revoke),
    ]
