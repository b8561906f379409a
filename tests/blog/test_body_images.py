"""The image library: what an upload becomes, and how essay bodies show its images."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from PIL import Image

from blog import images, markup
from blog.models import Essay, LibraryImage
from tests.factories import make_essay

pytestmark = pytest.mark.django_db


def image_upload(
    width=2000, height=1000, *, fmt="JPEG", mode="RGB", name=None, **save
) -> SimpleUploadedFile:
    out = BytesIO()
    colour = (200, 80, 40, 128) if mode == "RGBA" else (200, 80, 40)
    Image.new(mode, (width, height), colour[: len(mode)]).save(out, format=fmt, **save)
    extension = {"JPEG": "jpg"}.get(fmt, fmt.lower())
    return SimpleUploadedFile(name or f"photo.{extension}", out.getvalue())


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def add(upload=None, **fields) -> LibraryImage:
    fields.setdefault("alt", "A lit candle on a windowsill at night")
    return images.add_library_image(file=upload or image_upload(), **fields)


def opened(name: str) -> Image.Image:
    with default_storage.open(name) as f:
        image = Image.open(BytesIO(f.read()))
        image.load()
        return image


def test_upload_makes_webp_and_jpeg_at_each_width_from_the_original():
    image = add(image_upload(2000, 1000))

    made = [(v["format"], v["width"], v["height"]) for v in image.variants]
    assert made == [
        ("webp", 480, 240), ("jpeg", 480, 240), ("webp", 960, 480), ("jpeg", 960, 480),
        ("webp", 1600, 800), ("jpeg", 1600, 800),
    ]  # fmt: skip
    for variant in image.variants:
        stored = opened(variant["name"])
        assert stored.format == variant["format"].upper()
        assert stored.size == (variant["width"], variant["height"])
    assert (image.width, image.height) == (2000, 1000)
    assert image.image.name.startswith("library/") and image.image.name.endswith(".jpg")


def test_small_image_is_never_made_larger():
    image = add(image_upload(700, 350))

    assert sorted({v["width"] for v in image.variants}) == [480, 700]


def test_transparent_png_falls_back_to_png_not_jpeg():
    image = add(image_upload(600, 300, fmt="PNG", mode="RGBA"))

    assert {v["format"] for v in image.variants} == {"webp", "png"}
    assert opened(image.variants[-1]["name"]).mode == "RGBA"


def test_upload_is_turned_upright_and_loses_its_exif():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; show it rotated 90°
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS: where the photo was taken
    upload = image_upload(800, 400, exif=exif.tobytes())

    image = add(upload)

    original = opened(image.image.name)
    assert original.size == (400, 800)
    assert (image.width, image.height) == (400, 800)
    assert not original.getexif()
    assert b"PhoneMaker" not in default_storage.open(image.image.name).read()
    for variant in image.variants:
        assert not opened(variant["name"]).getexif()
        assert variant["height"] > variant["width"]


def test_animated_gif_keeps_its_frames_and_gets_no_resized_copies():
    out = BytesIO()
    frames = [Image.new("RGB", (300, 200), colour) for colour in ("red", "green", "blue")]
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    image = add(SimpleUploadedFile("moving.gif", out.getvalue()))

    assert image.variants == []
    assert opened(image.image.name).n_frames == 3


def animation(frames: int, size=(300, 200)) -> SimpleUploadedFile:
    out = BytesIO()
    still = [Image.new("RGB", size, (40 * i % 256, 0, 0)) for i in range(frames)]
    still[0].save(out, format="GIF", save_all=True, append_images=still[1:], duration=50)
    return SimpleUploadedFile("moving.gif", out.getvalue())


def test_an_animation_is_held_to_the_pixel_cap_over_all_its_frames(settings):
    settings.BODY_IMAGE_MAX_PIXELS = 200_000  # 300 x 200 is 60,000 a frame
    assert add(animation(3)).width == 300  # 180,000 in all
    with pytest.raises(ValidationError, match=r"4 frames of 300 \u00d7 200"):
        add(animation(4))  # 240,000: each frame would be decoded and saved again
    assert LibraryImage.objects.count() == 1


def _gif_parts(data: bytes) -> tuple[bytes, list[bytes]]:
    """A GIF's header (with its colour table) and its blocks, each one extension or frame."""
    flags = data[10]
    start = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    blocks, i = [], start
    while data[i] != 0x3B:
        j = i + 2 if data[i] == 0x21 else i + 10  # extension label, or frame descriptor
        if data[i] == 0x2C:
            local = data[i + 9]
            j += (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1  # table, code size
        while data[j]:
            j += data[j] + 1
        blocks.append(data[i : j + 1])
        i = j + 1
    return data[:start], blocks


def growing_animation(frames: int, first=(30, 20), later=(600, 400)) -> SimpleUploadedFile:
    """A GIF whose screen and first frame are small and whose later frames are large: the
    canvas grows only when a later frame is reached."""
    big_header, big = _gif_parts(animation(frames, later).read())
    _, small = _gif_parts(animation(1, first).read())
    header = bytearray(big_header)
    header[6:10] = first[0].to_bytes(2, "little") + first[1].to_bytes(2, "little")
    first_frame = next(i for i, block in enumerate(big) if block[0] == 0x2C)
    small_frame = next(block for block in small if block[0] == 0x2C)
    blocks = [*big[:first_frame], small_frame, *big[first_frame + 1 :]]
    return SimpleUploadedFile("growing.gif", bytes(header) + b"".join(blocks) + b"\x3b")


def test_an_animation_whose_later_frames_grow_its_canvas_is_held_to_the_cap(settings):
    settings.BODY_IMAGE_MAX_PIXELS = 300_000
    upload = growing_animation(3)
    with Image.open(upload) as image:
        assert image.size == (30, 20) and image.n_frames == 3  # what a glance would see
    with pytest.raises(ValidationError, match="frames of 600 \u00d7 400 or more") as refused:
        add(growing_animation(3))  # 600 + 240,000 + 240,000 pixels to decode
    assert refused.value.code == "too_many_frames"
    settings.BODY_IMAGE_MAX_PIXELS = 200_000  # one later frame alone is over the cap
    with pytest.raises(ValidationError, match=r"too many pixels \(600 \u00d7 400\)"):
        add(growing_animation(3))
    assert LibraryImage.objects.count() == 0


@pytest.mark.parametrize(
    ("fmt", "metadata", "secret"),
    [
        ("GIF", {"comment": b"taken at 12 Elm Road"}, b"Elm Road"),
        ("WEBP", {"xmp": b"<x:xmpmeta>taken at 12 Elm Road</x:xmpmeta>"}, b"Elm Road"),
    ],
)
def test_an_animation_is_stored_without_its_metadata(fmt, metadata, secret):
    out = BytesIO()
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "green", "blue")]
    frames[0].save(out, format=fmt, save_all=True, append_images=frames[1:], duration=100,
                   **metadata)  # fmt: skip
    assert secret in out.getvalue()
    image = add(SimpleUploadedFile(f"moving.{fmt.lower()}", out.getvalue()))

    stored = default_storage.open(image.image.name).read()
    assert secret not in stored
    assert opened(image.image.name).n_frames == 3


def test_a_camera_mpo_photo_is_kept_as_its_jpeg():
    out = BytesIO()
    photo, depth = Image.new("RGB", (1200, 800), (90, 120, 60)), Image.new("RGB", (300, 200))
    photo.save(out, format="MPO", save_all=True, append_images=[depth])
    with Image.open(BytesIO(out.getvalue())) as upload:
        assert upload.format == "MPO" and upload.n_frames == 2  # as many phones save them
    image = add(SimpleUploadedFile("IMG_2041.jpg", out.getvalue()))

    assert image.image.name.endswith(".jpg") and (image.width, image.height) == (1200, 800)
    assert opened(image.image.name).format == "JPEG"
    assert {v["width"] for v in image.variants} == {480, 960, 1200}


def test_failure_while_storing_variants_leaves_no_files_and_no_row(settings, monkeypatch):
    real_save = default_storage.save
    calls = []

    def fail_on_third(name, content, **kwargs):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", fail_on_third)

    with pytest.raises(OSError):
        add(image_upload(2000, 1000))

    assert stored_files(settings) == []
    assert not LibraryImage.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.jpg", b"Just some text, not a photo at all."), "not an image"),
        (SimpleUploadedFile("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
         "can carry scripts"),
        (image_upload(40, 40, fmt="BMP"), "BMP images are not accepted"),
        (image_upload(40, 40, fmt="TIFF"), "TIFF images are not accepted"),
    ],
    ids=["text-named-jpg", "svg-named-png", "bmp", "tiff"],
)  # fmt: skip
def test_file_that_is_not_an_accepted_image_is_refused_with_its_reason(upload, message, settings):
    with pytest.raises(ValidationError, match=message):
        add(upload)
    assert stored_files(settings) == []


def test_image_with_too_many_pixels_is_refused_before_it_is_decoded(settings):
    settings.BODY_IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match=r"too many pixels \(1200 \u00d7 1000\)"):
        add(image_upload(1200, 1000, fmt="PNG"))
    assert stored_files(settings) == []


def test_featured_image_gets_the_same_checks_with_clear_messages():
    Form = modelform_factory(Essay, fields=["featured_image", "featured_image_alt"])
    svg = SimpleUploadedFile("cover.svg", b'<?xml version="1.0"?><svg onload="alert(1)"/>')
    form = Form(data={"featured_image_alt": "A cover"}, files={"featured_image": svg})

    assert not form.is_valid()
    assert "SVG files are not accepted" in form.errors["featured_image"][0]


def test_featured_image_is_stored_upright_without_its_exif_or_hidden_bytes():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS: where the photo was taken
    exif[0x010F] = "PhoneMaker"
    photo = image_upload(800, 400, name="cover.jpeg", exif=exif.tobytes())
    photo = SimpleUploadedFile(photo.name, photo.read() + b"<html>hidden after the picture")
    Form = modelform_factory(Essay, fields=["featured_image", "featured_image_alt"])
    form = Form(data={"featured_image_alt": "A cover"}, files={"featured_image": photo},
                instance=make_essay())  # fmt: skip
    assert form.is_valid(), form.errors
    essay = form.save()

    stored = default_storage.open(essay.featured_image.name).read()
    assert b"PhoneMaker" not in stored and b"hidden after" not in stored
    assert essay.featured_image.name.endswith("/cover.jpg")
    assert not opened(essay.featured_image.name).getexif()
    assert (essay.featured_image_width, essay.featured_image_height) == (400, 800)


def library_essay(image: LibraryImage, body: str, **fields) -> Essay:
    return make_essay(body=body.replace("URL", image.image.url), **fields)


def test_body_shows_a_library_image_as_a_responsive_picture_with_its_credit():
    image = add(
        image_upload(2000, 1000), credit="Photo: Ana Ruiz", credit_url="https://example.org/ana"
    )
    essay = library_essay(image, "Before.\n\n![A vigil at dusk](URL)\n\nAfter.")

    html = essay.body_html
    root = image.image.name.rsplit(".", 1)[0]
    webp = ", ".join(f"/media/{root}-{w}.webp {w}w" for w in (480, 960, 1600))
    jpeg = ", ".join(f"/media/{root}-{w}.jpg {w}w" for w in (480, 960, 1600))
    assert '<figure class="body-image"><picture>' in html
    assert f'<source type="image/webp" srcset="{webp}" sizes="{images.BODY_IMAGE_SIZES}">' in html
    assert f'<img src="/media/{root}-960.jpg" srcset="{jpeg}"' in html
    assert 'width="2000" height="1000" alt="A vigil at dusk" loading="lazy"' in html
    assert (
        '<figcaption><a href="https://example.org/ana" rel="noopener">Photo: Ana Ruiz</a>' in html
    )
    assert "<p><figure" not in html and "<p></p>" not in html


def test_a_library_image_named_outside_ascii_still_becomes_a_picture():
    image = add(image_upload(600, 300, name="\u00c9vora at night (2).jpg"))
    assert image.image.name.rsplit("/", 1)[1] == "evora-at-night-2.jpg"
    essay = library_essay(image, "![](URL)")

    assert "<picture><source" in essay.body_html
    unnamed = add(image_upload(600, 300, name="\u591c.jpg"))  # nothing left: a plain name
    assert unnamed.image.name.rsplit("/", 1)[1] == "image.jpg"


def test_library_image_within_a_sentence_stays_in_it_without_a_figure():
    image = add(image_upload(600, 300), credit="Photo: Ana Ruiz")
    essay = library_essay(image, "Look ![](URL) here.")

    assert essay.body_html.startswith("<p>Look <picture>")
    assert "<figure" not in essay.body_html
    assert f'alt="{image.alt}"' in essay.body_html  # the library's alt when the body has none


def test_other_images_stay_plain():
    image = add(image_upload(600, 300))
    essay = make_essay(
        body=f"![Elsewhere](https://example.org/x.jpg)\n\n![Gone](/media/library/2026/gone.jpg)\n\n[link]({image.image.url})"
    )

    assert "<picture" not in essay.body_html
    assert '<img src="https://example.org/x.jpg" alt="Elsewhere" loading="lazy"' in essay.body_html


def test_imported_html_body_gets_pictures_too():
    image = add(image_upload(600, 300), credit="Archive")
    essay = library_essay(
        image, '<p>Text.</p>\n<p><img src="URL" alt="From WordPress"></p>',
        body_format=Essay.BodyFormat.HTML,
    )  # fmt: skip

    assert '<figure class="body-image"><picture><source type="image/webp"' in essay.body_html
    assert 'alt="From WordPress"' in essay.body_html
    assert "<figcaption>Archive</figcaption>" in essay.body_html


def test_lookup_reads_the_library_once_and_not_at_all_without_library_urls(
    django_assert_num_queries,
):
    first, second = add(image_upload(600, 300)), add(image_upload(600, 300))
    body = f"![a]({first.image.url})\n\n![b]({second.image.url})"

    with django_assert_num_queries(1):
        found = images.lookup_for(body)
    assert set(found) == {first.image.url, second.image.url}
    with django_assert_num_queries(0):
        assert images.lookup_for("No images here, only /media/essays/2026/x.jpg.") == {}


def test_sanitizer_strips_hostile_picture_and_source_attributes():
    html = markup.render_essay(
        '<picture><source srcset="javascript:alert(1) 1x" onerror="alert(2)" type="image/webp">'
        '<img src="/a.jpg" srcset="/a.jpg 1x, data:text/html,x 2x" onload="alert(3)" alt="a">'
        '</picture> <source srcset="/ok.webp 480w" sizes="100vw" style="color:red">'
    )

    assert "javascript:" not in html and "data:" not in html
    assert "onerror" not in html and "onload" not in html and "style" not in html
    assert '<picture><source type="image/webp"><img src="/a.jpg" alt="a"></picture>' in html
    assert 'srcset="/ok.webp 480w"' in html


def test_changing_alt_text_or_credit_renders_the_essays_showing_it_again():
    image = add(image_upload(600, 300))
    essay = library_essay(image, "![](URL)")
    image.alt, image.credit = "A different description", "Photo: Sam Lee"
    image.save()

    assert images.rerender_essays_using(image) == 1

    essay.refresh_from_db()
    assert 'alt="A different description"' in essay.body_html
    assert "<figcaption>Photo: Sam Lee</figcaption>" in essay.body_html


def test_featured_image_credit_is_the_caption_of_its_figure(client):
    essay = make_essay(
        featured_image=image_upload(1200, 600, name="cover.jpg"), featured_image_alt="A cover",
        image_creator="Ana Ruiz", image_source="Unsplash", image_source_url="https://unsplash.com/x",
    )  # fmt: skip

    html = client.get(essay.get_absolute_url()).content.decode()

    figure = html[html.index('<figure class="featured-image">') :]
    figure = figure[: figure.index("</figure>")]
    assert 'width="1200" height="600"' in figure
    assert (
        '<figcaption>Featured image via Ana Ruiz on <a href="https://unsplash.com/x" '
        'rel="noopener">Unsplash</a></figcaption>'
    ) in figure
    assert "image-credit" not in html
