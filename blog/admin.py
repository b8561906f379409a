"""The editors' desk: essays and the content-warning taxonomy in the Django admin."""

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from blog.models import ContentWarning, Essay


@admin.register(ContentWarning)
class ContentWarningAdmin(admin.ModelAdmin):
    list_display = ["name", "gates", "display_order", "slug"]
    list_editable = ["display_order"]
    list_filter = ["gates"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "gates", "display_order", "description", "support_text"]


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
class EssayAdmin(admin.ModelAdmin):
    list_display = ["title", "byline", "state", "published_at", "warning_names", "preview_link"]
    list_filter = [StateFilter, "warnings", ("published_at", admin.DateFieldListFilter)]
    search_fields = ["title", "byline", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["warnings"]
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
        (None, {"fields": ["title", "slug", "byline", "summary", "body"]}),
        (
            "Content warnings",
            {
                "fields": ["warnings", "warning_note"],
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
        return super().get_queryset(request).with_warnings()

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
