"""The moderation queue on a phone: nothing scrolls sideways, every button is thumb-sized,
the row's tools work, axe finds nothing; on a desktop the keyboard shortcuts still act."""

import pytest
from django.contrib.auth.models import Group

from comments.models import Comment
from moderation.models import Ban, Decision, Report
from tests.e2e.test_accessibility import violations
from tests.e2e.test_journeys import log_in
from tests.factories import ensure_groups, make_comment, make_essay, make_pending, make_user

LONG_TITLE = (
    "An essay whose title is long enough to have made the essay filter wider than a phone "
    "held upright, which is what moderators saw before"
)


@pytest.fixture
def site(e2e_settings):
    ensure_groups()
    make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    essay = make_essay(LONG_TITLE)
    reported = make_comment(
        essay,
        author_name="Sharp",
        author_email="sharp@example.org",
        body="A reported comment with a very-long-unbroken-word-indeed.",
    )
    Report.objects.create(comment=reported, reason="harassment", reporter="r1", note="Unkind.")
    for n in range(3):
        pending = make_pending(essay, author_name=f"Waiting {n}",
                               author_email=f"someone.with.a.long.address.{n}@example.org",
                               body=f"Pending comment number {n}.")  # fmt: skip
        Decision.objects.create(comment=pending, step="akismet", outcome="skipped",
                                reason="skipped: not configured")  # fmt: skip
    return essay


def fits(page, width) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_queue_at_375_px_fits_and_every_action_is_thumb_sized(open_tab, site, snap):
    page = log_in(open_tab(width=375), "mod", "/moderation/")
    assert page.locator("#section-reported").is_visible()
    assert page.locator("#section-pending").is_visible()
    assert fits(page, 375)
    assert "Akismet: skipped, not configured" in page.inner_text("main")
    # Every action button is at least 44 px tall (WCAG 2.5.5's target size) and on screen.
    for button in page.locator(".queue-actions .button, .bulk-actions .button").all():
        box = button.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 375
    snap(page, "queue-phone")
    # The row's tools open and still fit; a ban set from them is listed with who set it.
    row = page.locator("[data-queue-item]", has_text="Pending comment number 0.")
    row.locator(".queue-tools summary").click()
    assert fits(page, 375)
    assert violations(page, minor=True) == []
    row.get_by_label("Reason (moderators only)").fill("Testing from a phone")
    with page.expect_navigation():
        row.get_by_role("button", name="Ban Waiting 0").click()
    assert "Their new comments will be held as spam" in page.inner_text(".messages")
    ban = Ban.objects.get()
    assert ban.value == "someone.with.a.long.address.0@example.org"
    assert "Banned" in page.locator("[data-queue-item]", has_text="Pending comment number 0.")\
        .inner_text()  # fmt: skip
    bans = page.goto(page.url.split("/moderation/")[0] + "/moderation/bans/")
    assert bans.ok and fits(page, 375) and "Set by mod" in page.inner_text("main")
    assert violations(page, minor=True) == []


def test_keyboard_shortcuts_still_work_on_a_desktop(open_tab, site):
    page = log_in(open_tab(width=1280), "mod", "/moderation/")
    assert fits(page, 1280)
    page.keyboard.press("j")  # the first row: the reported comment
    page.keyboard.press("j")  # the next: the first pending one, in the second form
    with page.expect_navigation():
        page.keyboard.press("a")
    assert Comment.objects.get(body="Pending comment number 0.").status == "approved"
