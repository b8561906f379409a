"""Uploading to the image library in the admin: good files, bad ones, and who may."""

import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from blog import images
from blog.image_admin import BodyWidget
from blog.models import LibraryImage
from tests.factories import make_essay, make_user

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/blog/libraryimage/add/"
ALT = "Two hands around a mug of tea"


def png(width=1200, height=800, name="tea.png") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (width, height), (90, 120, 60)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size its few bytes never hold (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def upload(client, file, alt=ALT, **extra):
    return client.post(
        ADD_URL, {"image": file, "alt": alt, "credit": "", "credit_url": "", **extra}
    )


def test_editor_uploads_an_image_and_its_sizes_are_stored(client, editor, settings):
    response = upload(client, png(), credit="Photo: Ana Ruiz")

    assert response.status_code == 302
    image = LibraryImage.objects.get()
    assert (image.alt, image.credit, image.uploaded_by) == (ALT, "Photo: Ana Ruiz", editor)
    assert (image.width, image.height) == (1200, 800)
    assert len(stored_files(settings)) == 1 + len(image.variants) == 7


def test_a_twenty_megabyte_upload_is_refused_next_to_the_field(client, editor, settings):
    big = SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (20 * 1024 * 1024))

    response = upload(client, big)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert errors == [
        "This file is 20 MB; the largest image accepted is 15 MB. Export it smaller (2000 "
        "pixels wide is plenty)."
    ]
    assert not LibraryImage.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("photo.jpg", b"Milk, eggs, bread: a shopping list, renamed"),
         images.NOT_AN_IMAGE),
        (SimpleUploadedFile("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg">'
                            b'<script>alert(1)</script></svg>', content_type="image/svg+xml"),
         images.SVG_REFUSED),
        (SimpleUploadedFile("bomb.png", png_header_claiming(30_000, 30_000)),
         "too many pixels"),
        (SimpleUploadedFile("big.png", png_header_claiming(8_000, 6_000)),
         "too many pixels (8000 \u00d7 6000)"),
        (SimpleUploadedFile("broken.png", png_header_claiming(400, 300)),
         images.NOT_AN_IMAGE),
    ],
    ids=["not-an-image", "svg", "decompression-bomb", "48-megapixels", "truncated"],
)  # fmt: skip
def test_bad_file_is_refused_with_a_reason_and_nothing_is_kept(
    client, editor, settings, file, message
):
    response = upload(client, file)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert len(errors) == 1 and message in errors[0]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not LibraryImage.objects.exists()
    assert stored_files(settings) == []


def test_missing_alt_text_is_refused_and_nothing_is_kept(client, editor, settings):
    response = upload(client, png(), alt="  ")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["alt"] == ["This field is required."]
    assert not LibraryImage.objects.exists()
    assert stored_files(settings) == []


def test_change_list_shows_each_image_with_its_markdown(client, editor):
    image = images.add_library_image(file=png(), alt="A [bright] window")

    response = client.get("/admin/blog/libraryimage/?q=bright")

    html = response.content.decode()
    assert f"<code>![A \\[bright\\] window]({image.image.url})</code>" in html
    assert "data-copy-markdown=" in html
    assert f'src="/media/{image.image.name.rsplit(".", 1)[0]}-480.webp"' in html
    assert "1200 \u00d7 800 px" in html


def test_upload_in_the_popup_answers_with_the_markdown_for_the_essay(client, editor):
    response = upload(client, png(), _popup="1")

    assert response.status_code == 200
    image = LibraryImage.objects.get()
    html = response.content.decode()
    markdown = f"![{ALT}]({image.image.url})"
    assert f'data-markdown="{markdown}"' in html
    assert f"readonly>{markdown}</textarea>" in html
    assert "js/admin-body-images.js" in html


def test_essay_body_widget_offers_upload_and_recent_images(editor):
    image = images.add_library_image(file=png(), alt=ALT)

    html = BodyWidget(attrs={"rows": 30}).render("body", "Text", attrs={"id": "id_body"})

    assert '<textarea name="body" cols="40" rows="30" id="id_body">' in html
    assert f'href="{ADD_URL}?_popup=1" target="_blank" data-body-image-upload' in html
    assert f'data-target="id_body" data-markdown="![{ALT}]({image.image.url})"' in html
    assert "js/admin-body-images.js" in str(BodyWidget().media)


def test_moderator_cannot_upload(client):
    moderator = make_user(is_staff=True, groups=[Group.objects.get(name="Moderators")])
    client.force_login(moderator)

    assert client.get(ADD_URL).status_code == 403
    assert upload(client, png()).status_code == 403
    assert not LibraryImage.objects.exists()


def test_image_an_essay_shows_cannot_be_deleted(client, editor, settings):
    image = images.add_library_image(file=png(), alt=ALT)
    essay = make_essay("The vigil", body=f"![]({image.image.url})")
    url = reverse("admin:blog_libraryimage_delete", args=[image.pk])

    page = client.get(url).content.decode()
    client.post(url, {"post": "yes"})

    assert "The essay <a href" in page and "The vigil</a> shows" in page
    assert LibraryImage.objects.filter(pk=image.pk).exists()
    essay.refresh_from_db()
    assert "<picture>" in essay.body_html


def test_deleting_an_unused_image_removes_its_files(
    client, editor, settings, django_capture_on_commit_callbacks
):
    image = images.add_library_image(file=png(), alt=ALT)
    url = reverse("admin:blog_libraryimage_delete", args=[image.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not LibraryImage.objects.exists()
    assert stored_files(settings) == []


def test_editing_the_credit_in_the_admin_updates_the_essays(client, editor):
    image = images.add_library_image(file=png(), alt=ALT)
    essay = make_essay(body=f"![]({image.image.url})")
    url = reverse("admin:blog_libraryimage_change", args=[image.pk])

    client.post(url, {"alt": ALT, "credit": "Photo: Sam Lee", "credit_url": ""})

    essay.refresh_from_db()
    assert "<figcaption>Photo: Sam Lee</figcaption>" in essay.body_html
