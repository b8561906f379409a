"""The image library in the admin, and the essay body's field that uploads to it.

An editor uploads from the essay form through the admin's popup mechanism (the library's
add view with `_popup=1` in a window of its own, as the "+" beside a foreign key opens);
the page after the upload sends the image's Markdown back to the essay form, which puts it
where the cursor was. Without JavaScript the link opens a tab that shows the Markdown to
copy.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog import images
from blog.models import LibraryImage

SCRIPT = "js/admin-body-images.js"
RECENT_IMAGES = 6
THUMBNAIL_WIDTH = 96


def _thumbnail(image: LibraryImage, width: int = THUMBNAIL_WIDTH) -> str:
    url, w, h = image.thumbnail()
    height = max(1, round(h * width / w)) if w else width
    return format_html('<img src="{}" alt="" width="{}" height="{}">', url, width, height)


class BodyWidget(forms.Textarea):
    """The essay body's textarea, followed by a way to upload an image and the latest ones
    with their Markdown to insert."""

    class Media:
        js = [SCRIPT]

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        recent = [
            {"image": image, "thumbnail": _thumbnail(image, 64)}
            for image in LibraryImage.objects.all()[:RECENT_IMAGES]
        ]
        toolbar = render_to_string(
            "admin/blog/essay/_body_images.html",
            {
                "textarea_id": (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}",
                "upload_url": f"{reverse('admin:blog_libraryimage_add')}?{IS_POPUP_VAR}=1",
                "library_url": reverse("admin:blog_libraryimage_changelist"),
                "recent": recent,
            },
        )
        return mark_safe(textarea + toolbar)  # both rendered with escaping by templates


class LibraryImageForm(forms.ModelForm):
    class Meta:
        model = LibraryImage
        fields = ["image", "alt", "credit", "credit_url"]

    def clean_image(self):
        file = self.cleaned_data.get("image")
        self.prepared = None
        if file and not self.instance.pk:
            # Decoded and resized now, so an image Pillow cannot read after all is an error
            # next to the field, before anything is stored.
            self.prepared = images.prepare_image(file)
        return file


@admin.register(LibraryImage)
class LibraryImageAdmin(admin.ModelAdmin):
    form = LibraryImageForm
    list_display = ["thumbnail", "alt", "credit", "size", "markdown_to_insert", "uploaded_at"]
    list_display_links = ["thumbnail", "alt"]
    search_fields = ["alt", "credit"]
    list_per_page = 50
    readonly_fields = [
        "preview", "markdown_to_insert", "size", "used_in", "uploaded_by", "uploaded_at",
    ]  # fmt: skip

    class Media:
        js = [SCRIPT]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["image", "alt", "credit", "credit_url"]
        # The file is not replaced once essays may link to it: upload a new image instead.
        return [
            "preview", "alt", "credit", "credit_url", "markdown_to_insert", "size", "used_in",
            "uploaded_by", "uploaded_at",
        ]  # fmt: skip

    @admin.display(description="Image")
    def thumbnail(self, image):
        return _thumbnail(image)

    @admin.display(description="Image")
    def preview(self, image):
        return _thumbnail(image, 320)

    @admin.display(description="Size")
    def size(self, image):
        return f"{image.width} \u00d7 {image.height} px"

    @admin.display(description="Markdown to insert")
    def markdown_to_insert(self, image):
        markdown = image.markdown()
        return format_html(
            '<code>{}</code> <button type="button" class="button" data-copy-markdown="{}" '
            "hidden>Copy</button>",
            markdown,
            markdown,
        )

    @admin.display(description="Shown in")
    def used_in(self, image):
        essays = list(images.essays_using(image).only("pk", "title"))
        if not essays:
            return "No essay yet."
        return format_html(
            "<ul>{}</ul>",
            mark_safe(
                "".join(
                    format_html(
                        '<li><a href="{}">{}</a></li>',
                        reverse("admin:blog_essay_change", args=[essay.pk]),
                        essay.title,
                    )
                    for essay in essays
                )
            ),
        )

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            if {"alt", "credit", "credit_url"} & set(form.changed_data):
                images.rerender_essays_using(obj)
        else:
            images.store_library_image(image=obj, prepared=form.prepared, uploaded_by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        if IS_POPUP_VAR in request.POST:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Image uploaded",
                "image": obj,
                "thumbnail": _thumbnail(obj, 320),
                "markdown": obj.markdown(),
                "is_popup": True,
                "another_url": f"{reverse('admin:blog_libraryimage_add')}?{IS_POPUP_VAR}=1",
            }
            return TemplateResponse(request, "admin/blog/libraryimage/popup_response.html", context)
        return super().response_add(request, obj, post_url_continue)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # An essay showing the image would lose it without a word: it must be taken out of
        # the body first. The admin lists these and refuses the delete.
        for image in objs:
            for essay in images.essays_using(image).only("pk", "title"):
                protected.append(
                    format_html(
                        'The essay <a href="{}">{}</a> shows \u201c{}\u201d: take it out of '
                        "the body first.",
                        reverse("admin:blog_essay_change", args=[essay.pk]),
                        essay.title,
                        image.alt,
                    )
                )
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        images.delete_library_images([obj])

    def delete_queryset(self, request, queryset):
        images.delete_library_images(queryset)
