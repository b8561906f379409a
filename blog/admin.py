"""The editors' desk: essays, content warnings, topics, authors and series in the Django admin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from blog.models import (
    Author,
    ContentWarning,
    Essay,
    EssayAuthor,
    EssayWarning,
    Series,
    SeriesPart,
    Topic,
)
from blog.revision_admin import EssayRevisionAdmin


@admin.register(ContentWarning)
class ContentWarningAdmin(admin.ModelAdmin):
    list_display = ["name", "gates", "needs_review", "display_order", "slug"]
    list_editable = ["display_order"]
    list_filter = ["gates", "needs_review"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name", "slug", "gates", "needs_review", "display_order", "description", "support_text",
    ]  # fmt: skip


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "slug", "essay_count"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fields = ["name", "slug", "parent", "description"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_essays=Count("essays")).order_by("name")

    @admin.display(description="Essays", ordering="n_essays")
    def essay_count(self, topic):
        return topic.n_essays


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "is_pseudonym", "slug", "essay_count"]
    list_filter = ["is_pseudonym"]
    search_fields = ["name", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "is_pseudonym", "bio"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_essays=Count("essays")).order_by("name")

    @admin.display(description="Essays", ordering="n_essays")
    def essay_count(self, author):
        return author.n_essays


class SeriesPartInline(admin.TabularInline):
    model = SeriesPart
    autocomplete_fields = ["essay"]
    extra = 0
    fields = ["position", "essay"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("series", "essay")


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "part_count"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SeriesPartInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_parts=Count("parts")).order_by("title")

    @admin.display(description="Parts", ordering="n_parts")
    def part_count(self, series):
        return series.n_parts


class AtLeastOneAuthor(BaseInlineFormSet):
    def clean(self):
        super().clean()
        named = [
            form for form in self.forms
            if form.cleaned_data.get("author") and not form.cleaned_data.get("DELETE")
        ]  # fmt: skip
        if not named:
            raise ValidationError("Name at least one author: readers see who wrote each essay.")


class EssayAuthorInline(admin.TabularInline):
    model = EssayAuthor
    formset = AtLeastOneAuthor
    autocomplete_fields = ["author"]
    extra = 0
    min_num = 1
    fields = ["position", "author"]
    verbose_name_plural = "authors (in byline order)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class EssayWarningInline(admin.TabularInline):
    """The essay's warnings, in the order readers see them named."""

    model = EssayWarning
    autocomplete_fields = ["warning"]
    extra = 0
    fields = ["position", "warning"]
    verbose_name_plural = "content warnings (in the order readers see them)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warning")


class EssaySeriesInline(admin.TabularInline):
    model = SeriesPart
    autocomplete_fields = ["series"]
    extra = 0
    max_num = 1
    fields = ["series", "position"]
    # With one form at most the admin titles the section by the singular name.
    verbose_name = verbose_name_plural = "series (optional)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("series", "essay")


class StateFilter(admin.SimpleListFilter):
    """Draft, scheduled (published with a future date) or live."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Published")]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Essay.Status.PUBLISHED)
        match self.value():
            case "draft":
                return queryset.filter(status=Essay.Status.DRAFT)
            case "scheduled":
                return published.filter(published_at__gt=now)
            case "live":
                return published.filter(published_at__lte=now)
        return queryset


@admin.register(Essay)
class EssayAdmin(EssayRevisionAdmin):
    list_display = [
        "title",
        "authors_line",
        "state",
        "published_at",
        "warning_names",
        "preview_link",
    ]
    list_filter = [StateFilter, "warnings", "topics", ("published_at", admin.DateFieldListFilter)]
    search_fields = ["title", "authors__name", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics"]
    inlines = [EssayAuthorInline, EssayWarningInline, EssaySeriesInline]
    readonly_fields = ["preview_link", "reading_minutes", "created_by", "updated_at"]
    list_select_related = ["created_by"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 8, "cols": 90})},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 30, "cols": 90})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "body_format", "topics"]}),
        (
            "Content warnings",
            {
                "fields": ["warning_note"],
                "description": "Readers see these before the essay. A warning marked "
                "'gates' puts a warning screen in front of the body.",
            },
        ),
        ("Publishing", {"fields": ["status", "published_at", "comments_open", "preview_link"]}),
        (
            "Featured image",
            {
                "fields": [
                    "featured_image",
                    "featured_image_alt",
                    "image_creator",
                    "image_source",
                    "image_source_url",
                ],
                "description": 'Shown as "Featured image via {creator} on {source}".',
            },
        ),
        ("Record", {"fields": ["reading_minutes", "created_by", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_warnings().with_authors()

    @admin.display(description="Authors")
    def authors_line(self, essay):
        return essay.author_names() or "\u2014"

    @admin.display(description="State", ordering="status")
    def state(self, essay):
        if essay.is_scheduled:
            return "Scheduled"
        return essay.get_status_display()

    @admin.display(description="Warnings")
    def warning_names(self, essay):
        return ", ".join(w.name for w in essay.warning_list()) or "\u2014"

    @admin.display(description="Preview")
    def preview_link(self, essay):
        if not essay.pk:
            return "Save the essay to preview it."
        url = reverse("blog:essay_preview", kwargs={"pk": essay.pk})
        links = [(url, "Preview")]
        if essay.gating_warnings():
            links.append((f"{url}?gate=1", "Warning screen"))
        return format_html_join(
            " \u00b7 ", '<a href="{}" target="_blank" rel="noopener">{}</a>', links
        ) or format_html("")

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
