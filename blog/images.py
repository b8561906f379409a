"""Images in essays: checking an upload, the sizes readers download, and the <picture> a body
shows for an image from the library.

Every upload is decoded once with Pillow, turned upright from its EXIF orientation and
written again without its metadata (a phone photo's EXIF can hold where it was taken). The
widths readers get are made then, in WebP and in a JPEG (or, with transparency, PNG)
fallback, and saved through Django's storage API so object storage can hold them later.
"""

import os
import re
import warnings
from dataclasses import dataclass
from io import BytesIO

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.fields.files import ImageFieldFile
from django.template.loader import render_to_string
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError, features

LIBRARY_DIR = "library"
VARIANT_WIDTHS = (480, 960, 1600)
# What the essay column is as wide as (static/css/site.css: .essay-body's --measure of
# 40rem inside .wrap's 1.25rem padding), so browsers pick a width before the CSS loads.
BODY_IMAGE_SIZES = "(min-width: 42.5rem) 40rem, calc(100vw - 2.5rem)"
FORMAT_EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
if features.check("avif"):
    FORMAT_EXTENSIONS["AVIF"] = "avif"
FORMAT_NAMES = "JPEG, PNG, WebP, GIF" + (" or AVIF" if "AVIF" in FORMAT_EXTENSIONS else "")
# Limits, unless settings set BODY_IMAGE_MAX_BYTES / BODY_IMAGE_MAX_PIXELS (they apply to
# featured images too). The pixel cap bounds the memory one decode takes (40 MP is about
# 160 MB decoded) and refuses decompression bombs long before Pillow's own limit.
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000

NOT_AN_IMAGE = (
    f"This file is not an image that can be read ({FORMAT_NAMES}). It may be damaged, or "
    "another kind of file with an image's name."
)
SVG_REFUSED = (
    "SVG files are not accepted: an SVG can carry scripts that would run in readers' "
    "browsers. Export it as a PNG and upload that."
)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _looks_like_svg(head: bytes, name: str) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.lower().endswith((".svg", ".svgz")) or (
        text.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in text
    )


def check_image_upload(file) -> None:
    """Refuse, with a message for the editor, a file too large, not an image, an SVG, a
    format readers' browsers may not show, or one with more pixels than can be decoded."""
    max_bytes = getattr(settings, "BODY_IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES)
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            f"This file is {_megabytes(file.size)} MB; the largest image accepted is "
            f"{_megabytes(max_bytes)} MB. Export it smaller (2000 pixels wide is plenty).",
            code="too_large",
        )
    file.seek(0)
    head = file.read(1024)
    file.seek(0)
    if _looks_like_svg(head, getattr(file, "name", "") or ""):
        raise ValidationError(SVG_REFUSED, code="svg")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format, (width, height) = image.format, image.size
                if image_format in FORMAT_EXTENSIONS:
                    _check_frames(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None, None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, TypeError, EOFError):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    finally:
        file.seek(0)
    if image_format not in FORMAT_EXTENSIONS:
        raise ValidationError(
            f"{image_format} images are not accepted; upload a {FORMAT_NAMES} file.",
            code="format",
        )
    if width * height > _max_pixels():
        raise _too_many_pixels(width, height)


def _check_frames(image: Image.Image) -> None:
    """Refuse an animation whose frames, all together, have more pixels than the cap.

    Every frame is decoded and saved again on upload, and a GIF's canvas grows to fit a
    larger later frame, so each frame's size is read as it is reached, and the walk stops
    (before decoding more) as soon as the cap is passed.
    """
    if not _is_animation(image):
        return
    cap, total = _max_pixels(), 0
    for index in range(image.n_frames):
        image.seek(index)  # decodes the frame before it, reads this one's size
        width, height = image.size
        if width * height > cap:
            raise _too_many_pixels(width, height)
        total += width * height
        if total > cap:
            raise ValidationError(
                f"This animation is too long at its size to be processed safely: "
                f"{image.n_frames} frames of {width} \u00d7 {height} or more, over "
                f"{cap / 1_000_000:g} megapixels in all, the most accepted. Make it shorter "
                "or smaller and upload that.",
                code="too_many_frames",
            )
    image.seek(0)


def _is_animation(image: Image.Image) -> bool:
    # A camera's MPO is a JPEG with a second, smaller picture for depth or preview: it is
    # read and kept as the JPEG it starts with.
    return image.format != "MPO" and getattr(image, "is_animated", False)


def _max_pixels() -> int:
    return getattr(settings, "BODY_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def _too_many_pixels(width, height) -> ValidationError:
    cap = _max_pixels() / 1_000_000
    size = f" ({width} \u00d7 {height})" if width else ""
    return ValidationError(
        f"This image has too many pixels{size} to be processed safely; the most accepted is "
        f"{cap:g} megapixels. Export it smaller and upload that.",
        code="too_many_pixels",
    )


class CheckedImageFormField(forms.ImageField):
    """An image upload refused, with a clear reason, when check_image_upload says no."""

    def to_python(self, data):
        if data not in self.empty_values:
            check_image_upload(data)
        return super().to_python(data)


class CleanedImageFieldFile(ImageFieldFile):
    """An image file written as cleaned_image makes it, however it is saved (a form, the
    WordPress import, the demo): a featured photo's EXIF can say where it was taken."""

    def save(self, name, content, save=True):
        check_image_upload(content)
        extension, data = cleaned_image(content)
        name = f"{os.path.splitext(name)[0]}.{extension}"
        # Named, as ImageField reads the width and height from the content saved.
        super().save(name, ContentFile(data, name=os.path.basename(name)), save)


class CheckedImageField(models.ImageField):
    """An ImageField whose form checks the upload as check_image_upload does, and whose
    files are stored cleaned."""

    attr_class = CleanedImageFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    format: str  # "webp", "jpeg" or "png"
    data: bytes


@dataclass(frozen=True)
class PreparedImage:
    """An upload decoded, cleaned of metadata and resized, ready to be stored."""

    extension: str
    original: bytes
    width: int
    height: int
    variants: list[Variant]


def _encode(image: Image.Image, image_format: str, **options) -> bytes:
    out = BytesIO()
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc  # colour, not metadata: without it colours shift
    image.save(out, format=image_format, **options)
    return out.getvalue()


_ENCODING = {
    "JPEG": {"quality": 88, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 88, "method": 4},
    "GIF": {"optimize": True},
    "AVIF": {"quality": 80},
}


def _variant_widths(width: int) -> list[int]:
    """The widths readers may get: never wider than the original."""
    return sorted({*(w for w in VARIANT_WIDTHS if w < width), min(width, VARIANT_WIDTHS[-1])})


def prepare_image(file) -> PreparedImage:
    """Decode an upload check_image_upload accepted, upright and without metadata, with its
    variants. Raises ValidationError if it cannot be decoded after all."""
    return _decoded(file, _prepare)


def cleaned_image(file) -> tuple[str, bytes]:
    """The extension and bytes of an accepted image decoded and written again, upright and
    without metadata (or bytes hidden after the picture). Raises ValidationError if it
    cannot be decoded after all."""
    return _decoded(file, lambda opened: _clean(opened)[:2])


def _decoded(file, read):
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as opened:
                return read(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(None, None) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    finally:
        file.seek(0)


def _clean(opened: Image.Image) -> tuple[str, bytes, Image.Image]:
    """The extension and bytes the original is stored as, and the picture, upright and
    without metadata, to make the reader's widths from (an animation's own first frame)."""
    extension = FORMAT_EXTENSIONS[opened.format]
    image_format = "JPEG" if opened.format == "MPO" else opened.format
    if _is_animation(opened):
        # Resizing would stop the animation: readers get the original, re-saved frame by
        # frame without its metadata, at its own size. Saving takes each frame's info as
        # a default, so the metadata a frame can carry is overridden as empty.
        keep = {k: opened.info[k] for k in ("duration", "loop") if k in opened.info}
        empty = {"GIF": {"comment": b""}, "WEBP": {"exif": b"", "xmp": b""}, "PNG": {}}
        options = {**empty.get(image_format, {}), **keep}
        original = _encode(opened, image_format, save_all=True, **options)
        opened.seek(0)
        return extension, original, opened
    opened.load()
    upright = ImageOps.exif_transpose(opened)
    transparent = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    clean = upright.convert("RGBA" if transparent else "RGB")
    icc = upright.info.get("icc_profile")
    clean.info = {"icc_profile": icc} if icc else {}
    if image_format == "GIF":
        original = _encode(clean.convert("P", palette=Image.Palette.ADAPTIVE), "GIF")
    else:
        original = _encode(clean, image_format, **_ENCODING[image_format])
    return extension, original, clean


def _prepare(opened: Image.Image) -> PreparedImage:
    animated = _is_animation(opened)
    extension, original, clean = _clean(opened)
    if animated:
        return PreparedImage(extension, original, clean.width, clean.height, [])
    transparent = clean.mode == "RGBA"
    fallback = "PNG" if transparent else "JPEG"
    variants = []
    for width in _variant_widths(clean.width):
        height = max(1, round(clean.height * width / clean.width))
        sized = clean if width == clean.width else clean.resize((width, height), Image.LANCZOS)
        sized.info = clean.info
        for variant_format in ("WEBP", fallback):
            data = _encode(sized, variant_format, **_ENCODING[variant_format])
            variants.append(Variant(width, height, variant_format.lower(), data))
    return PreparedImage(extension, original, clean.width, clean.height, variants)


def store_library_image(*, image, prepared: PreparedImage, uploaded_by=None):
    """Save a new LibraryImage: its cleaned original, its variants and its row, or none of
    them (files already written are removed if anything fails)."""
    # ASCII only: a name like "Évora night" would reach bodies percent-encoded in its URL.
    stem = slugify(os.path.splitext(os.path.basename(image.image.name or ""))[0]) or "image"
    written: list[str] = []
    try:
        # Written straight to storage, as the variants are: the field's own save would
        # decode and encode again what prepare_image has just cleaned.
        name = image.image.field.generate_filename(image, f"{stem}.{prepared.extension}")
        image.image = image.image.storage.save(name, ContentFile(prepared.original))
        written.append(image.image.name)
        root = os.path.splitext(image.image.name)[0]
        variants = []
        for variant in prepared.variants:
            extension = "jpg" if variant.format == "jpeg" else variant.format
            name = default_storage.save(
                f"{root}-{variant.width}.{extension}", ContentFile(variant.data)
            )
            written.append(name)
            facts = {"width": variant.width, "height": variant.height, "format": variant.format}
            variants.append({**facts, "name": name})
        image.width, image.height = prepared.width, prepared.height
        image.variants = variants
        if uploaded_by is not None:
            image.uploaded_by = uploaded_by
        image.save()
    except BaseException:
        delete_files(written)
        raise
    return image


def add_library_image(*, file, alt: str, credit: str = "", credit_url: str = "",
                      uploaded_by=None):  # fmt: skip
    """Check, clean and store an uploaded file as a new library image."""
    from blog.models import LibraryImage

    check_image_upload(file)
    prepared = prepare_image(file)
    image = LibraryImage(alt=alt, credit=credit, credit_url=credit_url)
    image.image.name = os.path.basename(file.name or "image")
    return store_library_image(image=image, prepared=prepared, uploaded_by=uploaded_by)


def storage_url(name: str) -> str:
    return default_storage.url(name)


def delete_files(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def delete_library_images(images) -> None:
    """Delete library images and, once that is committed, their files."""
    images = list(images)
    names = [name for image in images for name in image.file_names()]
    with transaction.atomic():
        for image in images:
            image.delete()
        transaction.on_commit(lambda: delete_files(names))


def essays_using(image):
    """The essays whose body shows this library image."""
    from blog.models import Essay

    return Essay.objects.filter(body__contains=image.image.url).order_by("title")


def rerender_essays_using(image) -> int:
    """Render again the essays that show this image (its alt text or credit changed)."""
    count = 0
    for essay in essays_using(image):
        essay.save()
        count += 1
    return count


@dataclass(frozen=True)
class BodyPicture:
    """What an essay body needs to show a library image as a responsive picture."""

    url: str
    alt: str
    credit: str
    credit_url: str
    width: int
    height: int
    src: str
    srcset: str
    webp_srcset: str

    def html(self, *, alt: str = "", standalone: bool = False) -> str:
        """The <picture> for the body, in a <figure> with the credit as its caption when it
        stands alone. `alt` is the alt text the body gave it, if any."""
        return render_to_string(
            "blog/_body_picture.html",
            {"picture": self, "alt": alt.strip() or self.alt, "figure": standalone,
             "sizes": BODY_IMAGE_SIZES},
        ).strip()  # fmt: skip


def picture_for(image) -> BodyPicture:
    def srcset(image_format):
        return ", ".join(
            f"{default_storage.url(v['name'])} {v['width']}w"
            for v in image.variants
            if v["format"] == image_format
        )

    fallbacks = [v for v in image.variants if v["format"] in ("jpeg", "png")]
    # The src for browsers without srcset: the variant nearest the column's width.
    src = min(fallbacks, key=lambda v: abs(v["width"] - 960)) if fallbacks else None
    return BodyPicture(
        url=image.image.url, alt=image.alt, credit=image.credit, credit_url=image.credit_url,
        width=image.width, height=image.height,
        src=default_storage.url(src["name"]) if src else image.image.url,
        srcset=srcset(src["format"]) if src else "", webp_srcset=srcset("webp"),
    )  # fmt: skip


_LIBRARY_NAME = re.compile(rf"{LIBRARY_DIR}/\d{{4}}/[\w.-]+")


def lookup_for(source: str) -> dict[str, BodyPicture]:
    """The library images an essay body (Markdown or HTML) shows, by URL, in one query (none
    when it names no library file). Pass it to markup.render_essay(…, images=…)."""
    from blog.models import LibraryImage

    names = set(_LIBRARY_NAME.findall(source or ""))
    if not names:
        return {}
    found = {}
    for image in LibraryImage.objects.filter(image__in=names):
        if image.image.url in source:
            found[image.image.url] = picture_for(image)
    return found
