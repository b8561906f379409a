"""Images in essays, in a browser: an editor uploads one from the essay form; a reader on a
phone sees it, and the featured image with its credit, without the page sliding sideways."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from blog import images
from tests.e2e.conftest import picture
from tests.e2e.test_journeys import log_in
from tests.factories import ensure_groups, make_essay, make_user

ALT = "Paper lanterns floating on a dark river"


def editor():
    ensure_groups()
    return make_user("ed", is_staff=True, groups=[Group.objects.get(name="Editors")])


def test_editor_uploads_an_image_from_the_essay_form_and_its_markdown_is_inserted(
    open_tab, snap, media_served, tmp_path
):
    editor()
    file = tmp_path / "lanterns.png"
    file.write_bytes(picture(1800, 1200))
    tab = open_tab(width=1280)
    page = log_in(tab, "ed", "/admin/blog/essay/add/")
    body = page.locator("#id_body")
    body.fill("The night of the vigil.\n\nWhat came after.")
    body.evaluate("el => el.setSelectionRange(23, 23)")  # after the first paragraph

    with page.expect_popup() as opened:
        page.get_by_role("link", name="Upload an image for the body").click()
    popup = opened.value
    popup.wait_for_load_state()
    assert "_popup=1" in popup.url
    popup.set_input_files("#id_image", str(file))
    popup.fill("#id_alt", ALT)
    popup.fill("#id_credit", "Photo: Ana Ruiz")
    snap(popup, "upload-popup")
    with popup.expect_event("close"):
        popup.click("input[name=_save]")

    image = images.lookup_for(body.input_value())
    markdown = f"![{ALT}]({next(iter(image))})"
    assert body.input_value() == f"The night of the vigil.\n\n{markdown}\n\nWhat came after."
    snap(page, "essay-form-with-image")
    assert tab.csp_violations() == []
    assert not tab.console_errors


def test_upload_without_javascript_shows_the_markdown_to_copy(open_tab, media_served, tmp_path):
    editor()
    file = tmp_path / "lanterns.png"
    file.write_bytes(picture(800, 500))
    tab = open_tab(width=1280, javascript=False)
    page = log_in(tab, "ed", "/admin/blog/libraryimage/add/?_popup=1")

    page.set_input_files("#id_image", str(file))
    page.fill("#id_alt", ALT)
    page.click("input[name=_save]")

    assert (
        page.locator("#body-image-markdown").input_value().startswith(f"![{ALT}](/media/library/")
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_sees_the_body_image_and_the_credited_featured_image(
    open_tab, snap, media_served, width
):
    image = images.add_library_image(
        file=SimpleUploadedFile("lanterns.png", picture(1800, 1200)), alt=ALT,
        credit="Photo: Ana Ruiz",
    )  # fmt: skip
    essay = make_essay(
        "After the vigil",
        body=f"The first line of the essay.\n\n![]({image.image.url})\n\nThe rest of it.",
        featured_image=SimpleUploadedFile("cover.jpg", picture(1600, 900, "JPEG")),
        featured_image_alt="A riverbank at dusk", image_creator="Sam Lee",
        image_source="Unsplash", image_source_url="https://unsplash.com/",
    )  # fmt: skip
    tab = open_tab(width=width)
    tab.page.set_viewport_size({"width": width, "height": 800})
    page = tab.go(essay.get_absolute_url())

    caption = page.locator("figure.featured-image figcaption")
    assert caption.inner_text() == "Featured image via Sam Lee on Unsplash"
    first_line = page.locator(".essay-body p").first.bounding_box()
    assert first_line["y"] + first_line["height"] <= 800  # above the fold
    body_image = page.locator(".essay-body figure.body-image img")
    body_image.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=body_image.element_handle()
    )
    assert body_image.get_attribute("width") == "1800"
    assert body_image.get_attribute("height") == "1200"
    chosen = body_image.evaluate("img => img.currentSrc")
    assert chosen.endswith(".webp")
    assert page.locator(".essay-body figcaption").inner_text() == "Photo: Ana Ruiz"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = body_image.bounding_box()
    assert box["width"] <= width and abs(box["width"] / box["height"] - 1.5) < 0.02
    snap(page, "essay")
    assert tab.csp_violations() == []
