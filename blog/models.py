"""Essays and the content-warning taxonomy they carry."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from blog import markup


class ContentWarning(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(
        blank=True, help_text="What this warning covers, shown on the preferences page."
    )
    gates = models.BooleanField(
        default=False,
        help_text="Readers must choose to continue before an essay with this warning is shown.",
    )
    support_text = models.TextField(
        blank=True,
        help_text="Where to find help, shown with the warning (plain text; URLs become links).",
    )
    display_order = models.PositiveSmallIntegerField(
        default=100, help_text="Warnings are listed in this order, lowest first."
    )

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name


class EssayQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Essays readers may see: published, and with a publish date that has come."""
        return self.filter(status=Essay.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def with_warnings(self):
        """Fetch every essay's warnings, in display order, in one extra query."""
        return self.prefetch_related(
            Prefetch("warnings", queryset=ContentWarning.objects.order_by("display_order", "name"))
        )

    def without_warnings(self, warning_ids):
        """Leave out essays that carry any of the given warnings."""
        if not warning_ids:
            return self
        return self.exclude(warnings__in=list(warning_ids))


def _warning_order(warning):
    return (warning.display_order, warning.name)


class Essay(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    byline = models.CharField(max_length=120, help_text="The author's name as readers see it.")
    summary = models.TextField(
        max_length=600,
        help_text="One or two sentences for lists, feeds, link previews and the warning screen.",
    )
    body = models.TextField(
        help_text=(
            "Markdown. Blank line between paragraphs; ## Heading; *emphasis*, **strong**; "
            "[link text](https://example.org); - or 1. for lists; > for a quote, with a last "
            "line such as \u2013 Name for its attribution; ![description](/media/x.jpg) for "
            "an image; --- for a section break."
        )
    )
    body_html = models.TextField(editable=False, default="")
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    warnings = models.ManyToManyField(ContentWarning, blank=True, related_name="essays")
    warning_note = models.CharField(
        max_length=300,
        blank=True,
        help_text='Optional detail, e.g. "Describes an assault in the third section."',
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    comments_open = models.BooleanField(
        default=True, help_text="Readers may reply to this essay (see also the site's closing age)."
    )
    published_at = models.DateTimeField(
        default=timezone.now,
        help_text="A date in the future schedules the essay: it stays hidden until then.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    featured_image = models.ImageField(
        upload_to="essays/%Y/",
        blank=True,
        width_field="featured_image_width",
        height_field="featured_image_height",
    )
    featured_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_alt = models.CharField(
        "alt text",
        max_length=300,
        blank=True,
        help_text="Describe the image for people who cannot see it. Required with an image.",
    )
    image_creator = models.CharField("image creator", max_length=120, blank=True)
    image_source = models.CharField(
        "image source", max_length=120, blank=True, help_text='E.g. "Unsplash".'
    )
    image_source_url = models.URLField("image source URL", blank=True)

    objects = EssayQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="essay_published_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published"]), name="essay_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(featured_image="") | ~Q(featured_image_alt=""),
                name="essay_image_has_alt_text",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = markup.render_essay(self.body)
        self.reading_minutes = markup.reading_minutes(markup.plain_text(self.body_html))
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html", "reading_minutes"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:essay_detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.featured_image and not self.featured_image_alt.strip():
            raise ValidationError(
                {"featured_image_alt": "Describe the image for readers who cannot see it."}
            )

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    def per_warnings_prefetch(self, name: str, compute):
        """compute(), worked out once per prefetch of the essay's warnings and kept on the
        essay under `name` (a cached essay is asked for the same things several times a
        request); without a prefetch, every time."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("warnings")
        if prefetched is None:
            return compute()
        memo = self.__dict__.get(name)
        if memo is None or memo[0] is not prefetched:
            memo = self.__dict__[name] = (prefetched, compute())
        return memo[1]

    def warning_list(self) -> list[ContentWarning]:
        """The essay's warnings in display order (uses the prefetch when there is one)."""
        ordered = self.per_warnings_prefetch(
            "_sorted_warnings", lambda: sorted(self.warnings.all(), key=_warning_order)
        )
        return list(ordered)

    def gating_warnings(self) -> list[ContentWarning]:
        return [w for w in self.warning_list() if w.gates]

    def warning_line(self) -> str:
        """ "Content warning: Sexual violence and mental health." with the note, or ""."""
        names = [w.name for w in self.warning_list()]
        if not names:
            return f"Content note: {self.warning_note}" if self.warning_note else ""
        line = f"Content warning: {join_warning_names(names)}."
        return f"{line} {self.warning_note}" if self.warning_note else line

    def has_image_credit(self) -> bool:
        return bool(self.featured_image and (self.image_creator or self.image_source))


def join_warning_names(names: list[str], *, mid_sentence: bool = False) -> str:
    """ "Sexual violence, rape, and mental health": the names as a phrase in one sentence.

    Names start in lower case (the first too, mid-sentence) unless they look like
    acronyms ("PTSD").
    """
    phrased = [
        name
        if (i == 0 and not mid_sentence) or name[1:2].isupper()
        else name[:1].lower() + name[1:]
        for i, name in enumerate(names)
    ]
    if len(phrased) <= 2:
        return " and ".join(phrased)
    return ", ".join(phrased[:-1]) + ", and " + phrased[-1]
