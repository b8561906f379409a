"""AKISMET_TIMEOUT is one deadline for a whole Akismet call, against the fake on 127.0.0.1.

The fake's "trickle" mode sends its answer a byte every 0.2 s: every read gets a byte in
time, so a per-read timeout never fires and only a total deadline stops the wait (the
answer would take about 14 s). The one timing bound below is the deadline itself, with a
margin for a loaded machine that still stays far below the whole answer: not a speed target.
"""

import time

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from comments.models import Comment
from moderation import akismet
from moderation.screening import akismet_params, screen
from tests.factories import comment_form_data, make_essay, make_pending, make_user

pytestmark = pytest.mark.django_db

MARGIN = 4.0  # seconds past AKISMET_TIMEOUT (0.5 s here); a whole answer takes ~14 s
TIMED_OUT = "spam check unavailable: Akismet timed out"


@pytest.fixture
def essay():
    return make_essay()


def akismet_decision(comment):
    return comment.decisions.get(step="akismet")


def test_a_comment_check_answered_a_byte_at_a_time_stops_at_the_deadline(
    essay, fake_akismet, settings
):
    screen(make_pending(essay, author_name="First").pk)  # verifies (and caches) the key
    fake_akismet.mode = "trickle"
    comment = make_pending(essay)
    started = time.monotonic()
    assert screen(comment.pk) == "pending"
    assert time.monotonic() - started < settings.AKISMET_TIMEOUT + MARGIN
    comment.refresh_from_db()
    assert comment.status == "pending"
    decision = akismet_decision(comment)
    assert decision.outcome == "error"
    assert decision.reason.startswith(TIMED_OUT + ";")
    assert not comment.decisions.filter(step="policy").exists()  # not screened, not lost
    assert fake_akismet.requests[-1].endswith("comment-check")


def test_a_key_check_answered_a_byte_at_a_time_stops_at_the_same_deadline(
    essay, fake_akismet, settings
):
    fake_akismet.mode = "trickle"
    comment = make_pending(essay)
    started = time.monotonic()
    assert screen(comment.pk) == "pending"
    assert time.monotonic() - started < settings.AKISMET_TIMEOUT + MARGIN
    assert akismet_decision(comment).reason.startswith(TIMED_OUT + ";")
    assert [p.rsplit("/", 1)[1] for p in fake_akismet.requests] == ["verify-key"]


def test_the_deadline_covers_the_key_check_and_the_comment_check_together(
    essay, fake_akismet, settings
):
    """Each answer comes well inside AKISMET_TIMEOUT, the two together do not."""
    settings.AKISMET_TIMEOUT = 1.5  # room for a loaded machine: each answer has 0.6 s spare
    fake_akismet.delay = 0.9
    with pytest.raises(akismet.AkismetUnavailable, match="^" + TIMED_OUT + "$"):
        akismet.check(akismet_params(make_pending(essay)))
    assert [p.rsplit("/", 1)[1] for p in fake_akismet.requests] == ["verify-key", "comment-check"]


def test_answers_inside_the_deadline_still_count(essay, fake_akismet, settings):
    settings.AKISMET_TIMEOUT = 3.0  # roomy: a loaded machine must not make this an outage
    fake_akismet.delay = 0.3
    fake_akismet.mode = "spam"
    assert akismet.check(akismet_params(make_pending(essay))) == akismet.Verdict.SPAM


@pytest.mark.django_db(transaction=True)  # screening runs when the comment commits
def test_a_reader_posting_while_akismet_trickles_gets_their_comment_kept(
    client, fake_akismet, settings
):
    essay = make_essay()
    screen(make_pending(essay, author_name="First").pk)  # the key check is cached
    fake_akismet.mode = "trickle"
    started = time.monotonic()
    response = client.post(
        reverse("comments:post", args=[essay.slug]),
        comment_form_data(body="Posted while Akismet dribbles.", author_name="Patient reader"),
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert time.monotonic() - started < settings.AKISMET_TIMEOUT + MARGIN
    assert response.status_code == 302
    comment = Comment.objects.get(body="Posted while Akismet dribbles.")
    assert comment.status == "pending"
    assert akismet_decision(comment).reason.startswith(TIMED_OUT + ";")
    page = client.get(response["Location"]).content.decode()
    assert "Your comment is awaiting moderation." in page
    assert "Posted while Akismet dribbles." in page


def test_the_queue_tells_moderators_to_run_recheck_when_nothing_will_retry(
    client, essay, fake_akismet
):
    fake_akismet.mode = "trickle"
    screen(make_pending(essay, body="Waiting on Akismet.").pk)
    client.force_login(make_user("mod", groups=[Group.objects.get(name="Moderators")]))
    page = client.get(reverse("moderation:queue") + "?status=pending").content.decode()
    assert "Waiting on Akismet." in page
    assert (
        "Akismet: unavailable, timed out; not retried by itself; run "
        "`python manage.py recheck_comments`" in page
    )
