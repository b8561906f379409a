from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0005_bylines_to_authors")]

    operations = [
        # A default first, so that undoing this migration can bring the column back.
        migrations.AlterField(
            model_name="essay",
            name="byline",
            field=models.CharField(max_length=120, blank=True, default=""),
        ),
        migrations.RemoveField(model_name="essay", name="byline"),
    ]
