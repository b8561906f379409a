"""A reader asks for reply emails under the form, confirms from the email, gets a reply,
and stops the emails in one click: in a real browser, with mail caught in Django's outbox."""

import re

from django.core import mail

from comments.models import Comment
from comments.services import change_status
from subscriptions.models import Subscription
from tests.e2e.test_accessibility import violations
from tests.factories import make_comment, make_essay, make_warning

LINK = re.compile(r"http://127\.0\.0\.1:8000(/\S+/)")


def _link(message, part: str) -> str:
    return next(path for path in LINK.findall(message.body) if path.startswith(part))


def test_subscribe_confirm_get_a_reply_and_unsubscribe_in_one_click(open_tab, snap, e2e_settings):
    e2e_settings.MODERATION_TRUST_RETURNING = True
    essay = make_essay("Telling it slowly", warnings=[make_warning("Self-harm")], body="Body.")
    tab = open_tab(width=375)
    page = tab.go(essay.get_absolute_url())
    page.fill("#id_body", "Thank you for writing this.")
    page.fill("#id_author_name", "Ana")
    page.fill("#id_author_email", "ana@example.org")
    page.get_by_label("Email me when someone replies to my comment").check()
    snap(page, "form-with-email-box")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert "look for our email with a link to confirm it" in page.content()
    comment = Comment.objects.get()
    (confirmation,) = mail.outbox
    assert confirmation.to == ["ana@example.org"]

    page = tab.go(_link(confirmation, "/subscribe/confirm/"))
    assert "Emails when someone replies to your comment on" in page.inner_text("main")
    assert violations(page, minor=True) == []
    snap(page, "confirm")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("is confirmed").wait_for()
    assert Subscription.objects.get().confirmed_at is not None

    with_reply = make_comment(essay, parent=comment, status="pending", author_name="Sam",
                              body="It helped me to read this.")  # fmt: skip
    change_status(comment=with_reply, to="approved", expected=("pending",))
    (confirmation, notification) = mail.outbox
    assert "It helped me to read this." in notification.body
    assert "Content warning: Self-harm." in notification.body

    page = tab.go(_link(notification, "/unsubscribe/"))
    assert "a\u2026@example.org" in page.inner_text("main")
    assert "ana@example.org" not in page.content()
    assert violations(page, minor=True) == []
    snap(page, "unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_text("gets no more emails from us").wait_for()
    snap(page, "unsubscribed")
    assert Subscription.objects.get().ended_at is not None


def test_the_new_essays_page_shows_errors_and_keeps_choices_accessibly(
    open_tab, snap, e2e_settings
):
    make_warning("Suicide")
    tab = open_tab()
    page = tab.go("/subscribe/")
    assert violations(page, minor=True) == []
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_text("Please enter your email address.").first.wait_for()
    assert violations(page, minor=True) == []
    page.get_by_label("Your email address").fill("reader@example.org")
    page.get_by_label("Suicide").check()
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_text("Check your inbox").wait_for()
    snap(page, "subscribed")
    (subscription,) = Subscription.objects.all()
    assert [w.name for w in subscription.excluded_warnings.all()] == ["Suicide"]
    assert len(mail.outbox) == 1
