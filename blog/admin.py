"""The editors' desk: essays, content warnings, topics, authors and series in the Django admin."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.forms.formsets import all_valid
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from blog import images, markup, views
from blog.image_admin import BodyWidget
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


class ContentWarningForm(forms.ModelForm):
    """Whether a warning puts up a warning screen, as two plain choices (a new warning
    starts with the screen: the careful choice for readers who need it)."""

    gates = forms.TypedChoiceField(
        label="Before the essay",
        choices=[
            (
                True,
                "Warning screen: readers see the warnings and choose to continue before "
                "the essay opens.",
            ),
            (False, "Notice only: the warning is named above the essay, which opens at once."),
        ],  # fmt: skip
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        initial=True,
    )

    class Meta:
        model = ContentWarning
        fields = [
            "name", "slug", "description", "gates", "support_text", "display_order",
            "needs_review",
        ]  # fmt: skip


@admin.register(ContentWarning)
class ContentWarningAdmin(admin.ModelAdmin):
    form = ContentWarningForm
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
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Live")]

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


GOING_LIVE = "This makes the essay public now. Readers will see it as soon as you save."


class EssayAdminForm(forms.ModelForm):
    """The essay form, which asks once before a save puts an essay in front of readers."""

    # Hidden until clean() asks for it; the ticked box then arrives as "on", unticked as
    # nothing, and the hidden field's own value as "False".
    confirm_publish = forms.BooleanField(
        label="Yes, publish it now", required=False, widget=forms.HiddenInput
    )
    # A preview of the form shows the essay without asking: it saves nothing.
    asks_before_going_live = True

    class Meta:
        model = Essay
        # What clean() reads; the admin asks for every field of its fieldsets.
        fields = ["status", "published_at"]

    def clean(self):
        cleaned_data = super().clean()
        if (
            self.asks_before_going_live
            and self.goes_live_now(cleaned_data)
            and not cleaned_data.get("confirm_publish")
        ):
            self.fields["confirm_publish"].widget = forms.CheckboxInput()
            self.add_error("confirm_publish", GOING_LIVE)
        return cleaned_data

    def goes_live_now(self, cleaned_data) -> bool:
        """Whether saving makes public an essay that readers cannot see yet."""
        published_at = cleaned_data.get("published_at")
        if cleaned_data.get("status") != Essay.Status.PUBLISHED or published_at is None:
            return False
        # clean() runs before the form's values reach the instance: it is the stored essay
        # (or, on a restore, the revision: then the plan says what readers saw before).
        plan = getattr(self, "restore_plan", None)
        if plan is not None:
            already_live = plan.was_public()
        else:
            already_live = self.instance.pk is not None and self.instance.is_public
        return published_at <= timezone.now() and not already_live


@admin.register(Essay)
class EssayAdmin(EssayRevisionAdmin):
    form = EssayAdminForm
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
            # The textarea, then a way to upload an image and the Markdown of recent ones.
            kwargs["widget"] = BodyWidget(attrs={"rows": 30, "cols": 90})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "body_format", "topics"]}),
        (
            "Content warnings",
            {
                "fields": ["warning_note"],
                "description": "Readers see the warnings below before the essay, named in "
                "the order of their Position, lowest first. A warning set to show a warning "
                "screen puts one in front of the body; the others are named above it. The "
                "note adds what the names cannot say.",
            },
        ),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "confirm_publish",
                    "published_at",
                    "comments_open",
                    "preview_link",
                ]
            },
        ),
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
        context = {"essay": essay, "live_url": None, "goes_live": None}
        if essay.is_public:
            context["live_url"] = essay.get_absolute_url()
        elif essay.is_scheduled:
            context["goes_live"] = _when(essay.published_at)
        return render_to_string("admin/blog/essay/_state.html", context)

    @admin.display(description="Warnings")
    def warning_names(self, essay):
        return ", ".join(w.name for w in essay.warning_list()) or "\u2014"

    @admin.display(description="Preview")
    def preview_link(self, essay):
        if not essay.pk:
            # The form's own Preview buttons sit beside Save: before it, the first would
            # be the form's default button, and Enter in any field would open a preview.
            return "Preview the form as it stands, unsaved, with the buttons beside Save."
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
        request.saved_essay = obj

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        """Django's "was added/changed successfully", followed by where the essay stands."""
        essay = getattr(request, "saved_essay", None)
        if essay is not None and level == messages.SUCCESS:
            message = format_html("{} {}", message, _where_it_stands(essay))
        super().message_user(request, message, level, *args, **kwargs)

    class Media:
        css = {"all": ["css/admin-preview.css"]}

    # -- previews of the form as it stands, unsaved ----------------------------------------

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("add/preview/", wrap(self.form_preview_view), name=f"{info}_add_preview"),
            path("body-preview/", wrap(self.body_preview_view), name=f"{info}_body_preview"),
            path(
                "<path:object_id>/preview/",
                wrap(self.form_preview_view),
                name=f"{info}_form_preview",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        info = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        if add:
            preview_url = reverse(f"{info}_add_preview")
        else:
            preview_url = reverse(f"{info}_form_preview", args=[obj.pk])
        context |= {
            "form_preview_url": preview_url,
            "body_preview_url": reverse(f"{info}_body_preview"),
            "body_preview_limit": BODY_PREVIEW_LIMIT,
        }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def form_preview_view(self, request, object_id=None):
        """The posted add or change form as readers would see the essay (nothing saved)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        stored = None
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
        else:
            stored = self.get_object(request, unquote(object_id))
            if stored is None:
                raise Http404("No such essay.")
            if not self.has_change_permission(request, stored):
                raise PermissionDenied
        # Binding the form puts a newly chosen image on `stored` itself: note the saved one.
        saved_image = (
            (stored.featured_image.name, stored.featured_image_width, stored.featured_image_height)
            if stored and stored.featured_image
            else ("", None, None)
        )
        form, formsets = self._bound_forms(request, stored)
        # Validation puts the form's values on the instance, in memory only.
        valid = form.is_valid()
        valid = all_valid(formsets) and valid
        if not valid:
            return self._preview_errors(request, form, formsets, stored)
        return views.unsaved_essay_page(
            request,
            form.save(commit=False),
            **self._unsaved_relations(form, formsets, stored),
            gate="gate" in request.GET,
            notes=self._image_notes(request, form.instance, saved_image),
        )

    def _bound_forms(self, request, stored):
        """The form and inline formsets as the change form builds them from a POST."""
        change = stored is not None
        fields = flatten_fieldsets(self.get_fieldsets(request, stored))
        form = self.get_form(request, stored, change=change, fields=fields)(
            request.POST, request.FILES, instance=stored
        )
        form.asks_before_going_live = False
        formsets, prefixes = [], {}
        for formset_class, inline in self.get_formsets_with_inlines(request, stored):
            prefix = formset_class.get_default_prefix()
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            if prefixes[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{prefixes[prefix]}"
            kwargs = self.get_formset_kwargs(request, form.instance, inline, prefix)
            formsets.append(formset_class(**kwargs))
        return form, formsets

    def _unsaved_relations(self, form, formsets, stored) -> dict:
        """The authors, topics, warnings and series part the valid forms describe, in the
        order readers see them."""

        def rows(model_name: str) -> list[dict]:
            return [
                f.cleaned_data
                for formset in formsets
                if formset.model._meta.model_name == model_name
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]

        authors = sorted(
            (row for row in rows("essayauthor") if row.get("author")),
            key=lambda row: (row.get("position") or 0, row["author"].pk),
        )
        if "warnings" in form.cleaned_data:  # warnings chosen in a field of the form
            chosen = form.cleaned_data["warnings"]
            warnings = sorted(chosen, key=lambda w: (w.display_order, w.name))
        else:  # or in an inline of ordered EssayWarning rows
            chosen = sorted(
                (row for row in rows("essaywarning") if row.get("warning")),
                key=lambda row: (
                    row.get("position") or 0,
                    row["warning"].display_order,
                    row["warning"].name,
                ),
            )
            warnings = [row["warning"] for row in chosen]
        if "topics" in form.cleaned_data:
            topics = sorted(form.cleaned_data["topics"], key=lambda t: t.name)
        else:
            topics = stored.topic_list() if stored else []
        part = next((row for row in rows("seriespart") if row.get("series")), None)
        return {
            "authors": list(dict.fromkeys(row["author"] for row in authors)),
            "topics": topics,
            "warnings": list(dict.fromkeys(warnings)),
            "series_part": (
                SeriesPart(series=part["series"], position=part.get("position") or 1)
                if part
                else None
            ),
        }

    def _image_notes(self, request, essay, saved_image) -> list[str]:
        """Keep a newly chosen featured image out of the preview: files reach storage only
        when the essay is saved. The preview shows the image saved before, if any."""
        if "featured_image" not in request.FILES:
            return []
        essay.featured_image, essay.featured_image_width, essay.featured_image_height = saved_image
        return [
            "The newly chosen featured image is not shown: images are stored only when you "
            "save. "
            + (
                "The preview shows the one saved before."
                if essay.featured_image
                else "The preview shows the essay without one."
            )
        ]

    def _preview_errors(self, request, form, formsets, stored):
        """A page in the admin's look naming each field the form needs corrected."""
        errors = [
            ("" if name == "__all__" else form[name].label, message)
            for name, field_errors in form.errors.items()
            for message in field_errors
        ]
        for formset in formsets:
            title = str(formset.model._meta.verbose_name_plural).capitalize()
            errors += [(title, message) for message in formset.non_form_errors()]
            for number, inline_form in enumerate(formset.forms, start=1):
                for name, field_errors in inline_form.errors.items():
                    label = "" if name == "__all__" else f" – {inline_form[name].label}"
                    where = f"{formset.model._meta.verbose_name.capitalize()} {number}{label}"
                    errors += [(where, message) for message in field_errors]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Nothing to preview yet",
            "subtitle": str(stored) if stored else None,
            "original": stored,
            "preview_errors": errors,
        }
        response = TemplateResponse(request, "admin/blog/essay/preview_errors.html", context)
        response["X-Robots-Tag"] = "noindex"
        return response

    def body_preview_view(self, request):
        """The posted body rendered as readers will see it, for the form's live preview."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")
        if len(body) > BODY_PREVIEW_LIMIT:
            response = JsonResponse(
                {
                    "error": f"The body is longer than {BODY_PREVIEW_LIMIT:,} characters, too "
                    "long to preview as you type. Use the Preview button to see the essay."
                },
                status=413,
            )
        else:
            html_format = request.POST.get("body_format") == Essay.BodyFormat.HTML
            render = markup.render_essay_html if html_format else markup.render_essay
            response = JsonResponse({"html": render(body, images=images.lookup_for(body))})
        response["X-Robots-Tag"] = "noindex"
        return response


# Longer bodies are previewed with the Preview button, not re-rendered at every pause in
# typing (a long essay is some 100,000 characters).
BODY_PREVIEW_LIMIT = 300_000


def _when(moment) -> str:
    """ "3 Dec 2026, 09:00" in the site's time zone."""
    return formats.date_format(timezone.localtime(moment), "j M Y, H:i")


def _where_it_stands(essay: Essay) -> str:
    """A sentence for the success message: live at its address, scheduled, or a draft."""
    if essay.is_public:
        url = settings.SITE_URL + essay.get_absolute_url()
        return format_html('It is live at <a href="{}">{}</a>.', url, url)
    if essay.is_scheduled:
        return format_html(
            "It is scheduled for {} and stays hidden from readers until then.",
            _when(essay.published_at),
        )
    return "It is saved as a draft: readers cannot see it."
