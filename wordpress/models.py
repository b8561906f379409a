"""What the WordPress import remembers: each object it made, and the editors' synonyms."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from blog.models import ContentWarning


class ImportedObject(models.Model):
    """One essay, comment, topic or author made from an object of a WordPress export.

    Keyed on the export's site URL, the kind and WordPress's own id, so running the same
    file again finds what it made instead of making it twice. The old permalink is kept for
    redirects from the old site's links.
    """

    class Kind(models.TextChoices):
        ESSAY = "essay", "Essay (from a post)"
        COMMENT = "comment", "Comment"
        TOPIC = "topic", "Topic (from a category or tag)"
        AUTHOR = "author", "Author"

    site_url = models.CharField("site URL", max_length=500)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    wordpress_id = models.CharField(
        "WordPress id", max_length=200, help_text="A post or comment id, or a term's taxonomy:id."
    )
    object_id = models.PositiveBigIntegerField(help_text="The primary key of what it became.")
    old_link = models.CharField("old permalink", max_length=1000, blank=True)
    # The essay's updated_at as the import left it: a later value means an editor changed
    # it, and a new run leaves it alone.
    essay_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    source_digest = models.CharField(max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "imported object"
        constraints = [
            models.UniqueConstraint(
                fields=["site_url", "kind", "wordpress_id"], name="imported_object_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="imported_kind_object_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.wordpress_id} from {self.site_url}"


class WarningSynonym(models.Model):
    """Another name for a content warning, as exports write it ("SA" for sexual assault)."""

    phrase = models.CharField(
        max_length=80, help_text="Matched ignoring case, as a whole name in a warning line."
    )
    warning = models.ForeignKey(ContentWarning, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["phrase"]
        constraints = [models.UniqueConstraint(Lower("phrase"), name="warning_synonym_once")]

    def __str__(self):
        return f"{self.phrase} \u2192 {self.warning}"


class UploadedExport(models.Model):
    """A WXR file an editor uploaded in the admin, kept between its dry run and its import.

    The file is stored under `token` (random, never the editor's file name) in a folder
    that is not served; `imported_at` is claimed with a conditional UPDATE, so pressing
    Import twice, or in two tabs at once, imports once.
    """

    token = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(
        max_length=255, help_text="As the editor's computer named it; shown, never used."
    )
    size = models.PositiveBigIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    dry_run_report = models.JSONField(default=list, help_text="The dry run's report lines.")
    stopped = models.TextField(blank=True, help_text="Why the dry run or the import stopped.")
    imported_at = models.DateTimeField(null=True, blank=True)
    import_report = models.JSONField(default=list, help_text="The import's report lines.")

    class Meta:
        verbose_name = "uploaded export"

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    @property
    def stored_name(self) -> str:
        return f"{self.token}.xml"
