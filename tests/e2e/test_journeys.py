"""The journeys readers, moderators and editors take, in a real browser."""

import re

import pytest

from comments.models import Comment
from tests.e2e.conftest import picture
from tests.factories import (
    ensure_groups,
    make_author,
    make_comment,
    make_essay,
    make_user,
    make_warning,
)

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def gated_essay():
    violence = make_warning("Sexual violence", gates=True, display_order=1,
                            support_text="Support line: 0808 000 0000")  # fmt: skip
    grief = make_warning("Grief", display_order=2)
    make_essay("An open essay", warnings=[grief], body="Open body.", days_ago=3)
    return make_essay(
        "A gated essay", warnings=[violence, grief], days_ago=1,
        body="The first line of the gated body.\n\nMore of it.", summary="About the aftermath.",
    )  # fmt: skip


def log_in(tab, username, next_path):
    page = tab.go(f"/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_reader_passes_the_gate_and_it_is_remembered(open_tab, snap, gated_essay, javascript):
    tab = open_tab(javascript=javascript)
    page = tab.go("/")
    card = page.locator("article.card", has_text="A gated essay")
    assert card.locator(".cw-label").all_inner_texts() == ["Sexual violence", "Grief"]
    snap(page, "home")

    with page.expect_navigation():
        card.get_by_role("link", name="A gated essay", exact=True).click()
    assert page.get_by_role("heading", name="Before you read: content warning").is_visible()
    assert "The first line of the gated body." not in page.content()
    assert "Support line: 0808 000 0000" in page.inner_text("main")
    snap(page, "gate")

    with page.expect_navigation():
        page.get_by_role("button", name="Continue to the essay").click()
    assert page.get_by_text("The first line of the gated body.").is_visible()
    snap(page, "essay")

    page = tab.go(gated_essay.get_absolute_url())  # the next visit opens directly
    assert page.get_by_text("The first line of the gated body.").is_visible()
    assert tab.csp_violations() == []


def test_go_back_on_the_warning_screen_returns_to_the_list_page_the_reader_left(
    open_tab, gated_essay, settings
):
    settings.ESSAYS_PER_PAGE = 1  # the gated essay alone on page 1, the open one on page 2
    page = open_tab().go("/?page=2")
    assert "A gated essay" not in page.inner_text("main")
    page = open_tab().go("/?page=1")
    with page.expect_navigation():
        page.get_by_role("link", name="A gated essay", exact=True).click()
    back = page.get_by_role("link", name="Go back")
    assert back.get_attribute("href") == "/?page=1"  # static/js/gate.js, from the Referer
    no_js = open_tab(javascript=False).go(gated_essay.get_absolute_url())
    assert no_js.get_by_role("link", name="Go back").get_attribute("href") == "/"


def test_comment_form_errors_then_a_pending_comment_only_its_writer_sees(
    open_tab, snap, e2e_settings
):
    essay = make_essay("Commentable", body="Body.")
    tab = open_tab()
    page = tab.go(essay.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert page.get_by_text("Please enter your comment!").first.is_visible()
    assert page.get_by_text("Please enter your name here").first.is_visible()
    assert page.evaluate("document.activeElement.id") == "comment-errors"
    assert page.get_attribute("#id_body", "aria-invalid") == "true"
    snap(page, "errors")

    page.fill("#id_body", "My first comment here.")
    page.fill("#id_author_name", "First Reader")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    pending = page.locator(".comment-pending")
    assert pending.count() == 1
    assert "Your comment is awaiting moderation." in pending.inner_text()
    assert re.search(r"#comment-\d+$", page.url)
    snap(page, "pending")

    other = open_tab().go(essay.get_absolute_url())
    assert "My first comment here." not in other.content()


def test_moderator_approves_with_the_keyboard_then_the_reader_replies(open_tab, snap, e2e_settings):
    ensure_groups()
    from django.contrib.auth.models import Group

    make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    essay = make_essay("Discussed", body="Body.")
    reader = open_tab()
    page = reader.go(essay.get_absolute_url())
    page.fill("#id_body", "Please publish me.")
    page.fill("#id_author_name", "Waiting Reader")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()

    moderator = open_tab()
    queue = log_in(moderator, "mod", "/moderation/")
    item = queue.locator("[data-queue-item]", has_text="Please publish me.")
    assert "Akismet: skipped, not configured" in item.inner_text()
    assert "Held for review" in item.inner_text()
    snap(queue, "queue")
    queue.keyboard.press("j")
    assert queue.evaluate("document.activeElement.id") == item.get_attribute("id")
    with queue.expect_navigation():
        queue.keyboard.press("a")
    assert "Approve: 1 comment." in queue.inner_text(".messages")

    page.reload()
    comment = Comment.objects.get(body="Please publish me.")
    assert comment.status == "approved"
    published = page.locator(f"#comment-{comment.pk}")
    assert published.is_visible() and page.locator(".comment-pending").count() == 0

    # Reply inline, with JavaScript: the form moves under the comment without a reload.
    published.get_by_role("link", name="Reply to Waiting Reader").click()
    assert page.locator(f"#comment-{comment.pk} #respond").count() == 1
    assert "Replying to Waiting Reader" in page.inner_text("#respond-title")
    assert page.evaluate("document.activeElement.id") == "id_body"
    snap(page, "reply-inline")
    page.fill("#id_body", "A reply with JavaScript.")
    page.fill("#id_author_name", "Waiting Reader")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    js_reply = Comment.objects.get(body="A reply with JavaScript.")
    assert js_reply.parent_id == comment.pk
    assert page.locator(f"#comment-{js_reply.pk}.depth-1.comment-pending").is_visible()

    # And without JavaScript: the Reply link reloads the page with the form in place.
    nojs = open_tab(javascript=False)
    page = nojs.go(essay.get_absolute_url())
    with page.expect_navigation():
        page.locator(f"#comment-{comment.pk}").get_by_role(
            "link", name="Reply to Waiting Reader"
        ).click()
    assert "replytocom=" in page.url
    assert "Replying to Waiting Reader" in page.inner_text("#respond-title")
    page.fill("#id_body", "A reply without JavaScript.")
    page.fill("#id_author_name", "No Script")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert Comment.objects.get(body="A reply without JavaScript.").parent_id == comment.pk


def test_a_deep_thread_nests_its_lists_fits_a_phone_and_takes_the_form_in_place(
    open_tab, snap, e2e_settings
):
    essay = make_essay("A long discussion", body="Body of the essay.")
    chain, parent = [], None
    for depth in range(e2e_settings.COMMENTS_MAX_DEPTH):
        parent = make_comment(
            essay, parent=parent, author_name=f"Reader at depth {depth}",
            body="A reply long enough to wrap over a few lines on a phone, as real ones do.",
        )  # fmt: skip
        chain.append(parent)
    make_comment(essay, parent=chain[0], author_name="Second replier", body="Me too.")
    for width in (375, 1280):
        page = open_tab(width=width).go(essay.get_absolute_url())
        for above, below in zip(chain, chain[1:], strict=False):
            nested = f"#comment-{above.pk} > ol.children > #comment-{below.pk}"
            assert page.locator(nested).count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        top = page.locator(f"#comment-{chain[0].pk} > article").bounding_box()
        deepest = page.locator(f"#comment-{chain[-1].pk} > article").bounding_box()
        assert deepest["width"] >= 0.8 * top["width"]  # indentation is capped
    snap(page, "deep-thread")

    # With JavaScript, the form goes under the comment replied to, above its replies.
    page.get_by_role("link", name="Reply to Reader at depth 0").click()
    assert page.evaluate(
        f"document.querySelector('#comment-{chain[0].pk} > #respond + ol.children') !== null"
    )
    assert page.evaluate("document.activeElement.id") == "id_body"
    snap(page, "deep-thread-reply")
    page.get_by_role("link", name="Cancel reply").click()
    assert page.locator("#respond-home + #respond").count() == 1


# A WordPress essay as an editor pastes it: each way people type a quote's attribution,
# the one-line form WordPress exports, an ordered list that must stay a list.
PASTED_BODY = """I kept a list that winter.

1. Eat something.
2. Answer one message.

> Nothing about it was my fault.
> - Shanth

> I believed her the first time.
> \u2013 Asha

> The silence was the loudest part.
> \u2014 Mira

> We were not the only ones.
> -- Lou

> It gets quieter, not gone.
> ~ Dee

\u201cYou are allowed to take up room.\u201d \u2013 Shanth

- a real list
- stays a list
"""
ATTRIBUTIONS = ["\u2013 Shanth", "\u2013 Asha", "\u2013 Mira", "\u2013 Lou", "\u2013 Dee",
                "\u2013 Shanth"]  # fmt: skip


def pick(page, selection, term: str, name: str) -> None:
    """Choose name in an admin autocomplete (select2) by typing term."""
    page.locator(selection).click()
    page.keyboard.type(term)
    page.locator(".select2-results__option", has_text=name).click()


def test_editor_rebuilds_a_wordpress_essay_previews_it_unsaved_and_publishes_it(
    open_tab, snap, media_served, tmp_path
):
    from django.contrib.auth.models import Group

    from blog.models import Essay

    ensure_groups()
    make_user("ed", is_staff=True, groups=[Group.objects.get(name="Editors")])
    # The site's own order is not the essay's: Rape, Mental health, Sexual violence.
    make_warning("Sexual violence", gates=True, display_order=3,
                 support_text="Support line: 0808 000 0000")  # fmt: skip
    make_warning("Rape", display_order=1)
    make_warning("Mental health", display_order=2)
    make_author("Browser Editor")
    photo = tmp_path / "lanterns.png"
    photo.write_bytes(picture(1800, 1200))

    tab = open_tab()
    page = log_in(tab, "ed", "/admin/blog/essay/add/")
    page.locator("#id_title").press_sequentially("Written in the browser")
    assert page.input_value("#id_slug") == "written-in-the-browser"
    pick(page, "#essayauthor_set-group .field-author .select2-selection", "Browser",
         "Browser Editor")  # fmt: skip
    page.fill("#id_summary", "A summary written in a real browser.")
    body = page.locator("#id_body")
    body.fill(PASTED_BODY)

    # The live preview beside the body renders each attribution as a pull quote.
    live = page.locator(".essay-body-preview .essay-body")
    live.locator("figure.quote").nth(5).wait_for()
    assert live.locator("figure.quote figcaption").all_inner_texts() == ATTRIBUTIONS
    assert live.locator("ol li").count() == 2 and live.locator("ul li").count() == 2

    # A body image, uploaded from the form with its alt text, lands where the cursor was.
    body.evaluate("el => el.setSelectionRange(el.value.length, el.value.length)")
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Upload an image for the body").click()
    popup = opened.value
    popup.wait_for_load_state()
    popup.set_input_files("#id_image", str(photo))
    popup.fill("#id_alt", "Paper lanterns on a dark river")
    popup.fill("#id_credit", "Photo: Ana Ruiz")
    with popup.expect_event("close"):
        popup.click("input[name=_save]")
    assert re.search(r"!\[Paper lanterns on a dark river\]\(/media/library/[^)]+\)\n*$",
                     body.input_value())  # fmt: skip
    live.locator("figure.body-image img").wait_for()

    # Three warnings, in the essay's order: Sexual violence, Rape, Mental health.
    group = page.locator("#essaywarning_set-group")
    for row, (term, name) in enumerate(
        [("Sexual", "Sexual violence"), ("Rap", "Rape"), ("Mental", "Mental health")]
    ):
        group.get_by_role("button", name="Add another Content warning").click()
        page.fill(f"#id_essaywarning_set-{row}-position", str(row + 1))
        pick(page, f"#essaywarning_set-{row} .field-warning .select2-selection", term, name)
    page.select_option("#id_status", "published")
    snap(page, "admin-form")

    # Preview before saving: a new tab with the warning screen, then the essay; nothing stored.
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview the warning screen").click()
    preview = opened.value
    preview.wait_for_load_state()
    assert "Preview of the form, unsaved." in preview.inner_text("main")
    assert "Saved as it is, it would be public at once." in preview.inner_text("main")
    assert preview.get_by_role("heading", name="Before you read: content warning").is_visible()
    assert preview.locator(".gate-warnings strong").all_inner_texts() == [
        "Sexual violence", "Rape", "Mental health",
    ]  # fmt: skip
    snap(preview, "preview-gate")
    with preview.expect_navigation():  # the screen opens on the same unsaved form
        preview.get_by_role("button", name="Continue to the essay").click()
    assert "Preview of the form, unsaved." in preview.inner_text("main")
    assert preview.locator(".essay-body figure.quote").count() == 6
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview", exact=True).click()
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.locator(".cw-notice-line").inner_text() == (
        "Content warning: Sexual violence, rape, and mental health."
    )
    pulled = preview.locator(".essay-body figure.quote")
    assert pulled.locator("figcaption").all_inner_texts() == ATTRIBUTIONS
    assert pulled.first.evaluate("f => parseFloat(getComputedStyle(f).fontSize)") > 18
    assert preview.locator(".essay-body figure.body-image figcaption").inner_text() == (
        "Photo: Ana Ruiz"
    )
    snap(preview, "preview")
    assert not Essay.objects.exists()

    # Publishing asks once; ticking the box puts it live.
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert not Essay.objects.exists()
    confirm = page.get_by_label("Yes, publish it now")
    assert "This makes the essay public now." in page.inner_text(".field-confirm_publish")
    snap(page, "confirm-publish")
    confirm.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert "was added successfully" in page.inner_text(".messagelist")
    assert (
        page.locator("tr", has_text="Written in the browser")
        .locator(".essay-state")
        .inner_text()
        .startswith("Live")
    )

    reader = open_tab(width=375)
    home = reader.go("/")
    card = home.locator("article.card", has_text="Written in the browser")
    assert card.locator(".cw-label").all_inner_texts() == ["Sexual violence", "Rape",
                                                           "Mental health"]  # fmt: skip
    with home.expect_navigation():
        card.get_by_role("link", name="Written in the browser", exact=True).click()
    with home.expect_navigation():
        home.get_by_role("button", name="Continue to the essay").click()
    assert home.locator(".essay-body figure.quote figcaption").all_inner_texts() == ATTRIBUTIONS
    assert home.locator(".essay-body picture source[type='image/webp']").count() == 1
    snap(home, "published")
    feed = home.request.get(reader.base_url + "/feed/").text()
    assert "Written in the browser" in feed and "Sexual violence, rape, and mental health" in feed
    assert reader.csp_violations() == [] and tab.csp_violations() == []


def focus_ring(page) -> str:
    return page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle + ' ' + s.outlineWidth; })()"
    )


def tab_to(page, predicate_js: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"
        ):
            return
    raise AssertionError(f"never reached {predicate_js} with Tab")


def test_everything_works_from_the_keyboard_with_a_visible_focus(open_tab, e2e_settings):
    ensure_groups()
    from django.contrib.auth.models import Group

    make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    gated = make_essay("Keyboard essay", body="Keyboard body.",
                       warnings=[make_warning("Self-harm", gates=True)])  # fmt: skip
    parent = make_comment(gated, author_name="Earlier Reader")
    tab = open_tab()
    page = tab.go(gated.get_absolute_url())

    # The gate: Tab to Continue, check the focus ring, press Enter.
    tab_to(page, "el.textContent.trim() === 'Continue to the essay'")
    assert focus_ring(page).startswith("solid 3px")
    page.keyboard.press("Shift+Tab")  # back to the checkbox, and forward again
    assert page.evaluate("document.activeElement.id") == "remember-topics"
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Keyboard body.").is_visible()

    # Reply from the keyboard: Tab to the Reply link, Enter, type, Tab to the button, Space.
    tab_to(page, "el.getAttribute('aria-label') === 'Reply to Earlier Reader'")
    assert focus_ring(page).startswith("solid 3px")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_body"
    page.keyboard.type("Typed without a mouse.")
    tab_to(page, "el.id === 'id_author_name'")
    page.keyboard.type("Keys Only")
    tab_to(page, "el.dataset.submit !== undefined")
    assert focus_ring(page).startswith("solid 3px")
    with page.expect_navigation():
        page.keyboard.press("Space")
    reply = Comment.objects.get(body="Typed without a mouse.")
    assert reply.parent_id == parent.pk

    # The moderation queue: Tab to the comment's Approve button and press Space.
    moderator = open_tab()
    queue = log_in(moderator, "mod", "/moderation/")
    tab_to(queue, f"el.value === 'approve:{reply.pk}'")
    assert focus_ring(queue).startswith("solid 3px")
    with queue.expect_navigation():
        queue.keyboard.press("Space")
    reply.refresh_from_db()
    assert reply.status == "approved"
