"""Essays, the content-warning taxonomy they carry, and what readers find them by: topics,
series and authors."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from blog import images, markup
from blog.labels import warning_label


class ContentWarning(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(
        blank=True, help_text="What this warning covers, shown on the preferences page."
    )
    gates = models.BooleanField(
        "warning screen",
        default=True,
        help_text="On: an essay with this warning opens behind a warning screen, and readers "
        "choose to continue. Off: the warning is named above the essay, which opens at once.",
    )
    support_text = models.TextField(
        blank=True,
        help_text="Where to find help, shown with the warning (plain text; URLs become links).",
    )
    display_order = models.PositiveSmallIntegerField(
        default=100, help_text="Warnings are listed in this order, lowest first."
    )
    needs_review = models.BooleanField(
        "needs review",
        default=False,
        help_text="Made by an import from a name it did not know: check the name, whether it "
        "gates, and its support text, then untick this.",
    )

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self):
        return self.name


class Topic(models.Model):
    """What an essay is about ("policing", "recovery"), beside what it contains (warnings).
    Topics nest: a topic's page lists the essays of its sub-topics too."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, help_text="A sentence or two for the topic page.")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="Optional: the broader topic this one belongs to.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:topic_detail", kwargs={"slug": self.slug})

    def clean(self):
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": "A topic cannot sit inside itself."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    def with_descendants(self) -> list[int]:
        """This topic's id and those of every topic below it (one query)."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Topic.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, todo = [], [self.pk]
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.append(pk)
                todo.extend(children.get(pk, ()))
        return found


class Author(models.Model):
    name = models.CharField(max_length=120, help_text="The name as readers see it.")
    slug = models.SlugField(max_length=120, unique=True)
    bio = models.TextField(
        blank=True, max_length=1000, help_text="A few sentences for the author page."
    )
    is_pseudonym = models.BooleanField(
        "pseudonym",
        default=False,
        help_text="The name is a pseudonym. Readers are told so, and nothing more.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:author_detail", kwargs={"slug": self.slug})


class Series(models.Model):
    """Essays meant to be read in order ("Part 2 of 4")."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "series"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("blog:series_detail", kwargs={"slug": self.slug})

    def published_parts(self) -> list["Essay"]:
        """The series' published essays in reading order, with their warnings."""
        return list(
            Essay.objects.published()
            .filter(series_part__series=self)
            .order_by("series_part__position", "published_at", "pk")
            .for_links()
        )


# How much of the first paragraph stands in for a summary left empty.
SUMMARY_FROM_BODY = 300
# Authors are named in the order the editor set.
BYLINE_ORDER = ("essayauthor__position", "pk")
# An essay's warnings in the order its editor set; where none was set (rows of equal
# position, as an import or `warnings.set()` leaves them), in the site's display order.
ESSAY_WARNING_ORDER = ("essaywarning__position", "display_order", "name")


class EssayQuerySet(models.QuerySet):
    def published(self, *, now=None):
        """Essays readers may see: published, and with a publish date that has come."""
        return self.filter(status=Essay.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def with_warnings(self):
        """Fetch every essay's warnings, in the essay's order, in one extra query."""
        return self.prefetch_related(
            Prefetch("warnings", queryset=ContentWarning.objects.order_by(*ESSAY_WARNING_ORDER))
        )

    def with_reader_facts(self):
        """Also fetch what an essay page shows beside its warnings: authors in byline
        order, topics and its place in a series."""
        return (
            self.with_warnings()
            .with_authors()
            .select_related("series_part__series")
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        )

    def with_authors(self):
        return self.prefetch_related(
            Prefetch("authors", queryset=Author.objects.order_by(*BYLINE_ORDER))
        )

    def for_links(self):
        """What a link to an essay shows, its title and warnings: not the body, its derived
        forms or its search vector."""
        return self.defer(*Essay.HEAVY_FIELDS).with_warnings()

    def for_cards(self):
        """What a card in a list shows: a link's facts, the summary and the authors."""
        return self.for_links().with_authors()

    def in_topic(self, topic):
        """Essays about this topic or any topic below it (no duplicates: a semi-join)."""
        tagged = Essay.topics.through.objects.filter(
            essay_id=OuterRef("pk"), topic_id__in=topic.with_descendants()
        )
        return self.filter(Exists(tagged))

    def without_warnings(self, warning_ids):
        """Leave out essays that carry any of the given warnings."""
        if not warning_ids:
            return self
        return self.exclude(warnings__in=list(warning_ids))


class CommentPolicy(models.TextChoices):
    """How an essay's new comments are moderated, where it differs from the site's."""

    SITE = "", "As the site"
    HOLD = "hold", "Hold every new comment for a moderator"
    TRUSTED = "trusted", "Publish only trusted returning authors; hold the rest"
    CLOSED = "closed", "Closed to new comments"


class Essay(models.Model):
    CommentPolicy = CommentPolicy

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    class BodyFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML (imported)"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    authors = models.ManyToManyField(Author, through="EssayAuthor", related_name="essays")
    summary = models.TextField(
        max_length=600,
        blank=True,
        help_text="One or two sentences for lists, feeds, link previews and the warning "
        "screen. Left empty, the essay's first paragraph is used, cut at 300 characters.",
    )
    body = models.TextField(
        help_text=(
            "Markdown. Blank line between paragraphs; ## Heading; *emphasis*, **strong**; "
            "[link text](https://example.org); - or 1. for lists; > for a quote, with a last "
            "line such as \u2013 Name, - Name or ~ Name for its attribution (a pasted line "
            "like \u201cWords.\u201d \u2013 Name works too); ![description](/media/x.jpg) "
            "for an image (upload one below); --- for a section break."
        )
    )
    body_format = models.CharField(
        max_length=10,
        choices=BodyFormat.choices,
        default=BodyFormat.MARKDOWN,
        help_text="Imported essays keep their HTML; it is sanitized like Markdown's output.",
    )
    body_html = models.TextField(editable=False, default="")
    body_text = models.TextField(editable=False, default="")  # for search and its snippets
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    warnings = models.ManyToManyField(
        ContentWarning, through="EssayWarning", blank=True, related_name="essays"
    )
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="essays", help_text="What the essay is about."
    )
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
    # How new comments on this essay are treated; moderators set it (the moderation app's
    # queue and admin record who and why). Read it through comment_policy_now().
    comment_policy = models.CharField(
        max_length=10, choices=CommentPolicy.choices, default=CommentPolicy.SITE, blank=True
    )
    comment_policy_until = models.DateTimeField(
        null=True, blank=True, help_text="Empty: until changed. After it, the site's policy."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )

    featured_image = images.CheckedImageField(
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
    # Kept current by blog.search on PostgreSQL; unused (NULL) on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = EssayQuerySet.as_manager()
    # What lists and navigation never show: left out of their queries.
    HEAVY_FIELDS = ["body", "body_html", "body_text", "search_vector"]

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
            models.CheckConstraint(
                condition=Q(body_format__in=["markdown", "html"]), name="essay_body_format_valid"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.derive_from_body()
        changed = {"body", "body_format"}
        if kwargs.get("update_fields") is not None and changed & set(kwargs["update_fields"]):
            derived = {"body_html", "body_text", "summary", "reading_minutes"}
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:essay_detail", kwargs={"slug": self.slug})

    def derive_from_body(self) -> None:
        """Work out what the body decides: its HTML (library images as responsive
        pictures), its text for search, the reading time, and a summary left empty."""
        pictures = images.lookup_for(self.body)
        if self.body_format == self.BodyFormat.HTML:
            self.body_html = markup.render_essay_html(self.body, images=pictures)
        else:
            self.body_html = markup.render_essay(self.body, images=pictures)
        self.body_text = markup.searchable_text(self.body_html)
        if not self.summary.strip():
            self.summary = markup.opening(self.body_text, SUMMARY_FROM_BODY)
        self.reading_minutes = markup.reading_minutes(self.body_text)

    def clean(self):
        if self.featured_image and not self.featured_image_alt.strip():
            raise ValidationError(
                {"featured_image_alt": "Describe the image for readers who cannot see it."}
            )

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    def comment_policy_now(self, *, now=None) -> str:
        """The policy in force: this essay's own until its end date, then the site's ("")."""
        until = self.comment_policy_until
        if until is not None and (now or timezone.now()) >= until:
            return CommentPolicy.SITE
        return self.comment_policy

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    def _prefetched(self, name: str):
        """The prefetched rows of relation `name`, or None when it was not prefetched."""
        return getattr(self, "_prefetched_objects_cache", {}).get(name)

    def per_warnings_prefetch(self, name: str, compute):
        """compute(), worked out once per prefetch of the essay's warnings and kept on the
        essay under `name` (a cached essay is asked for the same things several times a
        request); without a prefetch, every time."""
        prefetched = self._prefetched("warnings")
        if prefetched is None:
            return compute()
        memo = self.__dict__.get(name)
        if memo is None or memo[0] is not prefetched:
            memo = self.__dict__[name] = (prefetched, compute())
        return memo[1]

    def warning_list(self) -> list[ContentWarning]:
        """The essay's warnings in the essay's order (uses the prefetch when there is one:
        with_warnings() fetches them in that order)."""
        prefetched = self._prefetched("warnings")
        if prefetched is not None:
            return list(prefetched)
        return list(self.warnings.order_by(*ESSAY_WARNING_ORDER))

    def set_warnings(self, warnings) -> None:
        """Give the (saved) essay these warnings, named in this order."""
        warnings = list(dict.fromkeys(warnings))
        EssayWarning.objects.filter(essay=self).exclude(warning__in=warnings).delete()
        for position, warning in enumerate(warnings, start=1):
            EssayWarning.objects.update_or_create(
                essay=self, warning=warning, defaults={"position": position}
            )

    def gating_warnings(self) -> list[ContentWarning]:
        return [w for w in self.warning_list() if w.gates]

    def warning_line(self) -> str:
        """ "Content warning: Sexual violence and mental health." with the note, or "" (the
        label is the site's WARNING_LABEL)."""
        names = [w.name for w in self.warning_list()]
        if not names:
            return f"Content note: {self.warning_note}" if self.warning_note else ""
        line = f"{warning_label()}: {join_warning_names(names)}."
        return f"{line} {self.warning_note}" if self.warning_note else line

    def author_list(self) -> list[Author]:
        """The essay's authors in byline order (uses the prefetch when there is one)."""
        prefetched = self._prefetched("authors")
        return list(prefetched if prefetched is not None else self.authors.order_by(*BYLINE_ORDER))

    def author_names(self) -> str:
        """ "Ana Ruiz and Sam Lee", as a byline says it."""
        return join_names([a.name for a in self.author_list()])

    def topic_list(self) -> list[Topic]:
        prefetched = self._prefetched("topics")
        return list(prefetched if prefetched is not None else self.topics.order_by("name"))

    def series_entry(self):
        """The essay's SeriesPart, or None (select_related by with_reader_facts)."""
        try:
            return self.series_part
        except SeriesPart.DoesNotExist:
            return None

    def has_image_credit(self) -> bool:
        return bool(self.featured_image and (self.image_creator or self.image_source))


class EssayAuthor(models.Model):
    """An author of an essay, in byline order."""

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE)
    author = models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        help_text="Readers see the authors as the byline (\u201cAna Ruiz and Sam Lee\u201d). "
        "An essay needs at least one: the form is refused without.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lowest is named first.")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["essay", "author"], name="essay_author_once")
        ]
        verbose_name = "author"

    def __str__(self):
        return self.author.name


class EssayWarning(models.Model):
    """A warning an essay carries, at the place its editor gave it among the others.

    The table is the one the plain many-to-many field made (hence its name and column).
    """

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE)
    warning = models.ForeignKey(
        ContentWarning, on_delete=models.CASCADE, db_column="contentwarning_id"
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lowest is named first. Equal: the site's order."
    )

    class Meta:
        db_table = "blog_essay_warnings"
        ordering = ["position", "warning__display_order", "warning__name"]
        unique_together = [("essay", "warning")]
        verbose_name = "content warning"

    def __str__(self):
        return self.warning.name


class SeriesPart(models.Model):
    """An essay's place in a series (an essay belongs to at most one)."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="parts")
    essay = models.OneToOneField(Essay, on_delete=models.CASCADE, related_name="series_part")
    position = models.PositiveSmallIntegerField(default=1, help_text="Reading order, from 1.")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "part"

    def __str__(self):
        return f"{self.series}: {self.essay}"


def join_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


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


class LibraryImage(models.Model):
    """An image uploaded for essay bodies, with the sizes readers' browsers choose from."""

    image = images.CheckedImageField(
        upload_to=f"{images.LIBRARY_DIR}/%Y/",
        help_text="A JPEG, PNG, WebP or GIF (not SVG). Sizes for every screen are made from it.",
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt = models.CharField(
        "alt text",
        max_length=300,
        help_text=(
            "Describe what the image shows for readers who cannot see it, as you would to "
            'someone on the phone: "A hand holding a lit candle at a vigil", not "image".'
        ),
    )
    credit = models.CharField(
        max_length=200,
        blank=True,
        help_text='Shown under the image, e.g. "Photo: Ana Ruiz / Unsplash".',
    )
    credit_url = models.URLField("credit link", blank=True, help_text="Optional: the source.")
    # [{"width": 480, "height": 320, "format": "webp", "name": "library/2026/x-480.webp"}, …]
    variants = models.JSONField(default=list, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "library image"
        verbose_name_plural = "image library"
        constraints = [
            models.CheckConstraint(condition=~Q(alt=""), name="libraryimage_has_alt_text"),
        ]

    def __str__(self):
        return self.alt[:80]

    def markdown(self) -> str:
        """What an editor pastes into a body to show the image."""
        alt = self.alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        return f"![{alt}]({self.image.url})"

    def file_names(self) -> list[str]:
        return [self.image.name, *(v["name"] for v in self.variants)]

    def thumbnail(self) -> tuple[str, int, int]:
        """The URL, width and height of the smallest copy, for lists in the admin."""
        smallest = min(self.variants, key=lambda v: v["width"], default=None)
        if smallest is None:
            return self.image.url, self.width, self.height
        return images.storage_url(smallest["name"]), smallest["width"], smallest["height"]
