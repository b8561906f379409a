"""Reporting and hiding a comment in a real browser, with JavaScript and without, and the
moderator's Reported tab."""

import pytest

from comments.models import Comment
from moderation.models import Decision, Report
from tests.e2e.test_accessibility import violations
from tests.e2e.test_journeys import log_in
from tests.factories import ensure_groups, make_comment, make_essay, make_user

UNKIND = "If it was that hard, maybe the story did not add up."


@pytest.fixture
def thread(e2e_settings):
    essay = make_essay("A hard essay", body="Body of the essay.")
    first = make_comment(essay, author_name="Kind Reader", body="Thank you for this.")
    unkind = make_comment(essay, author_name="Sharp Tongue", body=UNKIND)
    make_comment(essay, parent=unkind, author_name="Defender", body="That is unfair.")
    return essay, first, unkind


def test_reader_reports_in_an_inline_dialog_then_hides_the_comment(open_tab, snap, thread):
    essay, _, unkind = thread
    tab = open_tab()
    page = tab.go(essay.get_absolute_url())
    page.get_by_role("link", name="Report the comment by Sharp Tongue").click()
    dialog = page.locator("dialog[open]")
    dialog.wait_for()
    assert "Report the comment by Sharp Tongue" in dialog.inner_text()
    assert UNKIND in dialog.inner_text()
    assert page.evaluate("document.activeElement.name") == "reason"  # focus in the dialog
    assert page.url.endswith(essay.get_absolute_url())  # no page load
    assert violations(page, minor=True) == []
    snap(page, "dialog")

    dialog.get_by_role("button", name="Send report").click()
    error = dialog.locator(".notice-error")
    error.wait_for()
    assert "Please choose what is wrong with this comment." in error.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "alert"
    dialog.get_by_label("Hateful content").check()
    dialog.get_by_label("Anything a moderator should know (optional)").fill("Blames a survivor.")
    dialog.get_by_role("button", name="Send report").click()
    thanks = dialog.locator("[data-report-result]:not(.notice-error)")
    thanks.wait_for()
    assert "Thank you. A moderator will review this comment." in thanks.inner_text()
    saved = Report.objects.get(comment=unkind)
    assert (saved.reason, saved.note) == ("hate", "Blames a survivor.")
    snap(page, "dialog-thanks")

    dialog.get_by_role("button", name="Hide this comment").click()
    page.locator("dialog[open]").wait_for(state="detached")
    item = page.locator(f"#comment-{unkind.pk}")
    assert "You hid this comment." in item.inner_text()
    assert UNKIND not in item.inner_text()
    assert page.evaluate("document.activeElement.className") == "comment-removed"
    assert "That is unfair." in page.inner_text(".comment-list")  # replies stay
    page.reload()
    assert "You hid this comment." in page.inner_text(f"#comment-{unkind.pk}")
    other = open_tab().go(essay.get_absolute_url())
    assert UNKIND in other.inner_text(".comment-list")  # only this reader's choice
    assert tab.csp_violations() == []


def test_escape_closes_the_dialog_and_focus_returns_to_the_link(open_tab, thread):
    essay, _, _ = thread
    page = open_tab().go(essay.get_absolute_url())
    link = page.get_by_role("link", name="Report the comment by Sharp Tongue")
    link.click()
    page.locator("dialog[open]").wait_for()
    page.keyboard.press("Escape")
    page.locator("dialog[open]").wait_for(state="detached")
    assert page.evaluate("document.activeElement.getAttribute('data-author')") == "Sharp Tongue"
    assert not Report.objects.exists()


def test_reader_reports_and_hides_without_javascript(open_tab, snap, thread):
    essay, _, unkind = thread
    tab = open_tab(javascript=False)
    page = tab.go(essay.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("link", name="Report the comment by Sharp Tongue").click()
    assert page.url.endswith(f"/comments/{unkind.pk}/report/")
    snap(page, "report-page")
    page.get_by_label("Reveals someone\u2019s identity or private details").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send report").click()
    assert "Thank you. A moderator will review this comment." in page.inner_text("main")
    assert Report.objects.get(comment=unkind).reason == "private"
    with page.expect_navigation():
        page.get_by_role("button", name="Hide this comment").click()
    assert page.url.endswith(f"#comment-{unkind.pk}")
    assert "You hid this comment." in page.inner_text(f"#comment-{unkind.pk}")
    with page.expect_navigation():
        page.get_by_role("button", name="Show it again").click()
    assert UNKIND in page.inner_text(f"#comment-{unkind.pk}")


def test_moderator_keeps_a_comment_from_the_reported_tab(open_tab, snap, thread):
    ensure_groups()
    from django.contrib.auth.models import Group

    essay, _, unkind = thread
    make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])
    for reason in ["harassment", "hate", "harassment"]:
        reader = open_tab()
        page = reader.go(f"/comments/{unkind.pk}/report/")
        page.get_by_label(dict(Report.Reason.choices)[reason]).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send report").click()
        # The test server sees one address for every browser; let each count as its own.
        Report.objects.filter(ip_address__isnull=False).update(ip_address=None)
    unkind.refresh_from_db()
    assert unkind.status == Comment.Status.PENDING  # hidden after 3 reports
    assert UNKIND not in open_tab().go(essay.get_absolute_url()).inner_text("main")

    moderator = open_tab()
    queue = log_in(moderator, "mod", "/moderation/")
    # The landing page: Reported first (then Pending, when anything is pending too).
    assert queue.locator(".queue-section h2").first.inner_text().startswith("Reported")
    item = queue.locator("[data-queue-item]", has_text=UNKIND)
    assert "3 reports, hidden from readers until you decide" in item.inner_text()
    assert "Harassment or abuse: 2" in item.inner_text()
    assert violations(queue, minor=True) == []
    snap(queue, "reported-tab")
    queue.keyboard.press("j")
    with queue.expect_navigation():
        queue.keyboard.press("a")  # keep
    assert "Keep: 1 comment." in queue.inner_text(".messages")
    unkind.refresh_from_db()
    assert unkind.status == Comment.Status.APPROVED
    assert Decision.objects.filter(comment=unkind, outcome="keep").exists()
    assert UNKIND in open_tab().go(essay.get_absolute_url()).inner_text("main")
