"""An essay's own comment policy: set from a queue row or the admin, recorded as a Decision,
applied by screening, told honestly to readers, and ending by itself."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from blog.models import CommentPolicy, Essay
from comments.models import Comment
from comments.services import comments_are_open
from moderation.models import Decision
from moderation.policy import PolicyRefused, set_policy
from moderation.screening import screen
from tests.factories import comment_form_data, make_comment, make_essay, make_pending, make_user

pytestmark = pytest.mark.django_db

POLICY = "/moderation/essay-policy/"
BROWSER = "a" * 64


@pytest.fixture
def moderator():
    return make_user("mod", is_staff=True, groups=[Group.objects.get(name="Moderators")])


@pytest.fixture
def essay():
    return make_essay("A stormy essay")


def from_row(client, comment, policy, *, duration="", reason="A wave of abuse"):
    return client.post(POLICY, {
        "policy_comment": comment.pk, f"policy_{comment.pk}": policy,
        f"policy_for_{comment.pk}": duration, f"policy_reason_{comment.pk}": reason,
        "next": "/moderation/",
    })  # fmt: skip


def test_hold_all_from_a_queue_row_is_recorded_with_who_and_why(client, moderator, essay,
                                                                akismet_client):  # fmt: skip
    akismet_client("Ham")
    row = make_pending(essay)
    client.force_login(moderator)
    html = client.get("/moderation/").content.decode()
    assert "Hold all new comments on this essay" in html
    response = from_row(client, row, "hold", duration="week")
    assert response.status_code == 302
    essay.refresh_from_db()
    assert essay.comment_policy == "hold"
    assert timedelta(days=6) < essay.comment_policy_until - timezone.now() <= timedelta(days=7)
    decision = Decision.objects.get(step="essay_policy")
    assert (decision.essay, decision.comment, decision.actor) == (essay, row, moderator)
    assert decision.reason.startswith("Hold every new comment for a moderator, until ")
    assert decision.reason.endswith(": A wave of abuse")

    # A returning author the site would trust is held on this essay.
    make_comment(essay, author_name="Regular", author_email="r@example.org", writer_key=BROWSER)
    again = make_pending(essay, author_name="Regular", author_email="r@example.org",
                         writer_key=BROWSER)  # fmt: skip
    assert screen(again.pk) == Comment.Status.PENDING
    assert "the essay's policy holds every new comment" in again.decisions.get(step="policy").reason
    # ...but not on another essay.
    other = make_essay("A calm one")
    elsewhere = make_pending(other, author_name="Regular", author_email="r@example.org",
                             writer_key=BROWSER)  # fmt: skip
    assert screen(elsewhere.pk) == Comment.Status.APPROVED


def test_trusted_only_approves_returning_authors_and_holds_the_rest(
    essay, moderator, akismet_client, settings
):
    akismet_client("Ham")
    settings.MODERATION_TRUST_RETURNING = False  # the site trusts no one by itself
    set_policy(essay=essay, policy="trusted", reason="Calmer", moderator=moderator)
    make_comment(essay, author_name="Known", writer_key=BROWSER)
    known = make_pending(essay, author_name="Known", writer_key=BROWSER)
    stranger = make_pending(essay, author_name="Stranger", writer_key="c" * 64)
    assert screen(known.pk) == Comment.Status.APPROVED
    assert screen(stranger.pk) == Comment.Status.PENDING
    assert "publishes only trusted returning authors" in stranger.decisions.get(
        step="policy").reason  # fmt: skip


def test_readers_are_told_the_policy_not_shown_a_broken_form(essay, moderator):
    reader = Client()
    set_policy(essay=essay, policy="hold", reason="r", moderator=moderator)
    html = reader.get(essay.get_absolute_url()).content.decode()
    assert "Comments on this essay are reviewed before they appear." in html
    assert 'class="comment-form"' in html

    until = timezone.now() + timedelta(days=3)
    set_policy(essay=essay, policy="closed", reason="r", moderator=moderator, until=until)
    html = reader.get(essay.get_absolute_url()).content.decode()
    assert f"Comments on this essay are closed until {timezone.localtime(until):%-d %B %Y}." in html
    assert 'class="comment-form"' not in html
    # Someone who had the form open: refused, their words given back to copy.
    response = reader.post(f"/essays/{essay.slug}/comment/",
                           comment_form_data(body="Words I spent an hour on."))  # fmt: skip
    assert response.status_code == 403
    text = response.content.decode()
    assert "Comments are closed on this essay" in text and "Words I spent an hour on." in text


def test_the_policy_ends_by_itself(essay, moderator):
    set_policy(essay=essay, policy="closed", reason="r", moderator=moderator, duration="day")
    essay = Essay.objects.get(pk=essay.pk)
    assert not comments_are_open(essay)
    later = timezone.now() + timedelta(days=1, minutes=1)
    assert essay.comment_policy_now(now=later) == CommentPolicy.SITE
    assert comments_are_open(essay, now=later)


@pytest.mark.parametrize("fields, message", [
    ({"policy": "hold", "reason": "  "}, "Give a reason"),
    ({"policy": "sometimes", "reason": "r"}, "Choose one of the policies"),
    ({"policy": "hold", "reason": "r", "duration": "year"}, "Choose how long"),
    ({"policy": "hold", "reason": "r", "until": timezone.now() - timedelta(days=1)},
     "in the past"),
])  # fmt: skip
def test_bad_policies_are_refused(essay, moderator, fields, message):
    with pytest.raises(PolicyRefused, match=message):
        set_policy(essay=essay, moderator=moderator, **fields)
    essay.refresh_from_db()
    assert essay.comment_policy == "" and not Decision.objects.exists()


def test_a_refusal_from_the_row_keeps_what_was_typed(client, moderator, essay):
    row = make_pending(essay)
    client.force_login(moderator)
    response = from_row(client, row, "closed", duration="fortnight", reason="Keep these words")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose how long" in html and 'value="Keep these words"' in html
    assert '<option value="closed" selected>' in html


def test_the_admin_sets_the_policy_and_records_who(client, moderator, essay):
    client.force_login(moderator)
    url = f"/admin/moderation/essaycommentpolicy/{essay.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "comment_policy": "hold",
            "comment_policy_until_0": "",
            "comment_policy_until_1": "",
            "reason": "From the admin",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    essay.refresh_from_db()
    assert essay.comment_policy == "hold"
    decision = Decision.objects.get(step="essay_policy")
    assert decision.actor == moderator and decision.reason.endswith(": From the admin")
    response = client.post(
        url,
        {
            "comment_policy": "hold",
            "comment_policy_until_0": "",
            "comment_policy_until_1": "",
            "reason": "",
        },
    )
    assert response.status_code == 200 and "Give a reason" in response.content.decode()


def test_the_admin_lists_no_drafts_and_notes_cannot_be_rewritten(client, moderator, essay):
    from moderation.models import CommenterNote

    make_essay("A secret draft", status=Essay.Status.DRAFT)
    client.force_login(moderator)
    listing = client.get("/admin/moderation/essaycommentpolicy/").content.decode()
    assert "A stormy essay" in listing and "A secret draft" not in listing
    note = CommenterNote.objects.create(commenter="name:X", body="Mine.", author=moderator)
    page = client.get(f"/admin/moderation/commenternote/{note.pk}/change/")
    assert page.status_code == 200 and 'name="body"' not in page.content.decode()
    client.post(f"/admin/moderation/commenternote/{note.pk}/change/", {"body": "Rewritten."})
    note.refresh_from_db()
    assert note.body == "Mine."
