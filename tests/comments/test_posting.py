import re

import pytest
from django.db import connection
from django.test import Client

from comments.models import Comment
from tests.factories import comment_form_data, make_comment, make_essay

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return make_essay(body="Essay body.")


def post_url(essay):
    return f"/essays/{essay.slug}/comment/"


def test_empty_form_shows_the_exact_messages_linked_to_their_fields(client, essay):
    response = client.post(post_url(essay), comment_form_data(body="  ", author_name=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please enter your comment!" in html
    assert "Please enter your name here" in html
    assert re.search(
        r'<textarea[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*id_body_error', html
    )
    assert re.search(r'<input[^>]*name="author_name"[^>]*aria-invalid="true"', html)
    assert 'id="id_body_error"' in html and 'id="id_author_name_error"' in html
    assert re.search(
        r'<div class="error-summary" id="comment-errors" role="alert" tabindex="-1" autofocus', html
    )
    assert '<a href="#id_body">Please enter your comment!</a>' in html
    assert Comment.objects.count() == 0


def test_bad_email_and_website_get_clear_messages_and_text_comes_back(client, essay):
    data = comment_form_data(
        body="Keep this text <em>exactly</em>.",
        author_email="not-an-email",
        author_url="javascript:alert(1)",
        author_name="Ruth",
        content_warning="grief",
    )
    html = client.post(post_url(essay), data).content.decode()
    assert "Please enter a valid email address, like name@example.org" in html
    assert "Please enter a web address, like https://example.org" in html
    assert "Keep this text &lt;em&gt;exactly&lt;/em&gt;.</textarea>" in html
    assert 'value="Ruth"' in html and 'value="grief"' in html and 'value="not-an-email"' in html


def test_length_limits_have_visible_messages(client, essay, settings):
    settings.COMMENTS_MAX_LENGTH = 5000
    html = client.post(
        post_url(essay), comment_form_data(body="x" * 5001, author_name="n" * 101)
    ).content.decode()
    assert "Please keep your comment to 5,000 characters or fewer (it has 5001)." in html
    assert "Please keep your name to 100 characters or fewer (it has 101)." in html


def test_successful_post_redirects_to_the_comment_with_a_message(client, essay):
    response = client.post(post_url(essay), comment_form_data(body="Hello there."))
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{essay.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    page = client.get(response["Location"]).content.decode()
    assert "Your comment is awaiting moderation." in page
    assert f'id="comment-{comment.pk}"' in page and "Hello there." in page
    # Its writer may edit or delete it, but not report it: only public comments can be.
    assert f"/comments/{comment.pk}/edit/" in page
    assert f"/comments/{comment.pk}/report/" not in page


def test_request_details_are_stored_for_spam_checks(client, essay, settings):
    settings.SITE_URL = "https://essays.example"
    client.post(
        post_url(essay),
        comment_form_data(),
        HTTP_USER_AGENT="TestBrowser/1.0",
        HTTP_REFERER="https://essays.example/x",
        REMOTE_ADDR="203.0.113.7",
    )
    comment = Comment.objects.get()
    assert comment.ip_address == "203.0.113.7"
    assert comment.user_agent == "TestBrowser/1.0"
    assert comment.referrer == "https://essays.example/x"
    assert comment.permalink == f"https://essays.example{essay.get_absolute_url()}"


def test_pending_comment_is_seen_by_its_writer_only(client, essay):
    client.post(post_url(essay), comment_form_data(body="Only I can see this."))
    assert "Only I can see this." in client.get(essay.get_absolute_url()).content.decode()
    other = Client()
    assert "Only I can see this." not in other.get(essay.get_absolute_url()).content.decode()


def test_double_submission_creates_one_comment(client, essay):
    data = comment_form_data(body="Clicked twice.")
    first = client.post(post_url(essay), data)
    second = client.post(post_url(essay), data)
    assert Comment.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    page = client.get(second["Location"]).content.decode()
    assert "You had already sent this comment, so it was not posted twice." in page
    assert page.count("Clicked twice.") == 1  # their pending comment, shown once


def test_same_text_again_later_in_the_hour_leads_to_the_first_comment(client, essay):
    first = client.post(post_url(essay), comment_form_data(body="Said once."))
    Comment.objects.update(status="approved")
    again = client.post(post_url(essay), comment_form_data(body="Said once."))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    page = client.get(again["Location"]).content.decode()
    assert "You had already posted this comment, so it was not posted twice." in page
    assert Comment.objects.count() == 1


def test_a_repeat_from_another_browser_does_not_make_the_comment_theirs(essay, settings):
    Client().post(post_url(essay), comment_form_data(body="Typed by me."))
    other = Client()  # same address (the test client's), same name, same words
    response = other.post(post_url(essay), comment_form_data(body="Typed by me."))
    assert response.status_code == 302 and Comment.objects.count() == 1
    assert settings.COMMENTS_EDIT_COOKIE not in response.cookies
    comment = Comment.objects.get()
    assert other.get(f"/comments/{comment.pk}/edit/").status_code == 404
    assert "Typed by me." not in other.get(essay.get_absolute_url()).content.decode()


def test_the_same_words_from_another_address_are_another_comment(client, essay):
    client.post(post_url(essay), comment_form_data(body="Me too."))
    client.post(post_url(essay), comment_form_data(body="Me too."), REMOTE_ADDR="198.51.100.7")
    assert Comment.objects.count() == 2


@pytest.mark.parametrize("status", ["spam", "removed"])
def test_sending_again_after_the_first_was_taken_down_is_a_new_comment(client, essay, status):
    client.post(post_url(essay), comment_form_data(body="Try again."))
    Comment.objects.update(status=status)
    response = client.post(post_url(essay), comment_form_data(body="Try again."))
    assert response.status_code == 302
    assert Comment.objects.filter(status="pending").count() == 1
    assert Comment.objects.count() == 2


def test_the_same_words_after_the_hour_are_a_new_comment(client, essay, monkeypatch):
    from datetime import timedelta
    from types import SimpleNamespace

    from django.utils import timezone

    client.post(post_url(essay), comment_form_data(body="Every day."))
    later = timezone.now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr("comments.services.timezone", SimpleNamespace(now=lambda: later))
    client.post(post_url(essay), comment_form_data(body="Every day."))
    assert Comment.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_five_identical_posts_arriving_together_make_one_comment():
    import threading

    from django.db import connections

    essay = make_essay("Busy")
    barrier = threading.Barrier(5)
    responses = []

    def send():
        try:
            barrier.wait()
            responses.append(Client().post(post_url(essay), comment_form_data(body="At once.")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Comment.objects.count() == 1
    assert [r.status_code for r in responses] == [302] * 5
    assert len({r["Location"] for r in responses}) == 1


@pytest.mark.parametrize(
    ("body", "stored"),
    [
        ("Null\x00byte", "Nullbyte"),
        ("Bell\x07 and\x1b escape", "Bell and escape"),
        ("Keeps\ttabs\nand lines", "Keeps\ttabs\nand lines"),
        ("C1\x85\x9f control", "C1 control"),
    ],
)
def test_control_characters_are_stripped_not_a_500(client, essay, body, stored):
    response = client.post(post_url(essay), comment_form_data(body=body, author_name="Nul\x00l"))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.body == stored
    assert comment.author_name == "Null"


def test_only_control_characters_counts_as_empty(client, essay):
    response = client.post(post_url(essay), comment_form_data(body="\x00\x01\x02"))
    assert response.status_code == 400
    assert "Please enter your comment!" in response.content.decode()


def test_a_comment_sent_from_another_site_gets_the_friendly_403(essay):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(post_url(essay), comment_form_data(),
                           headers={"sec-fetch-site": "cross-site"})  # fmt: skip
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert Comment.objects.count() == 0


def test_the_form_carries_no_per_reader_values(client, essay):
    html = client.get(essay.get_absolute_url()).content.decode()
    assert "submission_key" not in html and "csrfmiddlewaretoken" not in html


def test_get_on_the_post_url_is_not_allowed(client, essay):
    assert client.get(post_url(essay)).status_code == 405


def test_posting_to_an_unknown_or_draft_essay_is_404(client):
    draft = make_essay(status="draft")
    assert client.post("/essays/nope/comment/", comment_form_data()).status_code == 404
    assert client.post(post_url(draft), comment_form_data()).status_code == 404


def test_remember_me_sets_a_cookie_that_prefills_the_form(client, essay):
    data = comment_form_data(author_name="Robin", author_email="r@example.org", remember="on")
    response = client.post(post_url(essay), data)
    assert "comment_author" in response.cookies
    assert response.cookies["comment_author"]["httponly"]
    html = client.get(essay.get_absolute_url()).content.decode()
    assert 'value="Robin"' in html and 'value="r@example.org"' in html
    assert re.search(r'name="remember"[^>]*checked', html)


def test_no_cookie_without_opt_in_and_unticking_forgets(client, essay):
    response = client.post(post_url(essay), comment_form_data(author_name="Robin"))
    assert "comment_author" not in response.cookies
    client.post(
        post_url(essay), comment_form_data(author_name="Robin", remember="on", body="Second.")
    )
    response = client.post(post_url(essay), comment_form_data(author_name="Robin", body="Third."))
    assert response.cookies["comment_author"].value == ""
    assert 'value="Robin"' not in Client().get(essay.get_absolute_url()).content.decode()


def test_posting_gives_the_browser_one_writer_token_kept_only_as_a_hash(client, essay, settings):
    name = settings.COMMENTS_WRITER_COOKIE
    first = client.post(post_url(essay), comment_form_data(body="One."))
    cookie = first.cookies[name]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    client.post(post_url(essay), comment_form_data(body="Two."))
    keys = set(Comment.objects.values_list("writer_key", flat=True))
    assert len(keys) == 1  # the same browser, the same key, across comments
    (key,) = keys
    assert len(key) == 64 and key not in cookie.value  # the token itself is never stored
    other = Client()
    other.post(post_url(essay), comment_form_data(body="Three."))
    assert Comment.objects.get(body="Three.").writer_key not in ("", key)


def test_a_reader_with_only_the_writer_cookie_still_gets_the_shared_page(essay, settings):
    """The writer token changes nothing on a page, so it must not make pages private."""
    writer = Client()
    writer.post(post_url(essay), comment_form_data(body="Hello."))
    later = Client()  # the session has ended; the year-long writer cookie is all that is left
    name = settings.COMMENTS_WRITER_COOKIE
    later.cookies[name] = writer.cookies[name].value
    response = later.get(essay.get_absolute_url())
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "private" not in response["Cache-Control"]
    assert name not in settings.PERSONAL_COOKIES


def test_forged_author_cookie_is_ignored(client, essay):
    from django.core import signing

    forged = signing.dumps({"author_name": "Impostor"}, salt="comments.author", key="other-key")
    for value in ["forged:value", forged]:
        client.cookies["comment_author"] = value
        response = client.get(essay.get_absolute_url())
        assert response.status_code == 200
        assert "Impostor" not in response.content.decode()
        assert not re.search(r'name="author_name"[^>]*value=', response.content.decode())


def test_form_has_the_akismet_notice_and_privacy_link(client, essay):
    html = client.get(essay.get_absolute_url()).content.decode()
    assert (
        'This site uses Akismet to reduce spam. <a href="/privacy/">Learn how your comment '
        "data is processed.</a>"
    ) in html
    assert "A pseudonym is fine." in html and "Never published." in html
    assert "Save my name, email, and website in this browser for the next time I comment." in (html)
    assert "&lt;blockquote&gt;" in html  # the allowed tags are listed


def test_comments_closed_by_the_editor(client, essay):
    essay.comments_open = False
    essay.save()
    make_comment(essay, body="An older comment.")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert "Comments are closed." in html and "An older comment." in html
    assert 'id="respond"' not in html and "replytocom" not in html
    response = client.post(post_url(essay), comment_form_data(body="Too late, but mine."))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Comments are closed on this essay, so your comment was not posted." in html
    assert Comment.objects.count() == 1


def test_comments_close_after_the_configured_age(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    old = make_essay(days_ago=20)
    recent = make_essay(days_ago=3)
    assert client.post(post_url(old), comment_form_data()).status_code == 403
    assert client.post(post_url(recent), comment_form_data()).status_code == 302
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0
    assert client.post(post_url(old), comment_form_data(body="now open")).status_code == 302


def test_comment_with_a_content_warning_renders_folded(client, essay):
    make_comment(essay, body="Hard details.", content_warning="Self-harm")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert re.search(
        r'<details class="comment-cw"><summary>Content warning: Self-harm</summary>'
        r'<div class="comment-body"><p>Hard details.</p>',
        html,
    )


def test_author_website_links_carry_ugc_rel(client, essay):
    make_comment(essay, author_name="Site owner", author_url="https://owner.example/")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert '<a href="https://owner.example/" rel="nofollow ugc noopener">Site owner</a>' in html


def test_comment_body_links_are_made_and_scripts_are_not(client, essay):
    response = client.post(
        post_url(essay),
        comment_form_data(
            body="See https://example.org <script>alert(1)</script><b onclick=x>b</b>"
        ),
    )
    assert response.status_code == 302
    html = Comment.objects.get().body_html
    assert '<a href="https://example.org" rel="nofollow ugc noopener">' in html
    assert "<script" not in html and "onclick" not in html


@pytest.mark.parametrize("n_essays", [5, 50])
def test_comment_counts_show_on_list_cards_in_one_query(
    client, n_essays, settings, django_assert_max_num_queries
):
    settings.ESSAYS_PER_PAGE = 50
    essays = [make_essay() for _ in range(n_essays)]
    for i, essay in enumerate(essays[:5]):
        for _ in range(i):
            make_comment(essay)
        make_comment(essay, status="pending")
    with django_assert_max_num_queries(6):  # as the home page's own test counts them
        html = client.get("/").content.decode()
    assert "4 comments" in html and "1 comment<" in html and "No comments yet" in html


def test_commenting_sends_the_submitted_signal_after_commit(
    client, essay, django_capture_on_commit_callbacks
):
    from comments.signals import comment_submitted

    seen = []

    def receiver(sender, comment, **kwargs):
        seen.append(comment.pk)

    comment_submitted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(post_url(essay), comment_form_data())
    finally:
        comment_submitted.disconnect(receiver)
    assert seen == [Comment.objects.get().pk]


def test_a_receiver_can_refuse_a_comment_before_it_is_saved(client, essay):
    from comments.signals import CommentRefused, comment_will_be_posted

    def refuse(sender, **kwargs):
        raise CommentRefused("You are commenting too quickly.", status=429)

    comment_will_be_posted.connect(refuse)
    try:
        response = client.post(post_url(essay), comment_form_data(body="Not lost."))
    finally:
        comment_will_be_posted.disconnect(refuse)
    assert response.status_code == 429
    html = response.content.decode()
    assert "You are commenting too quickly." in html and "Not lost.</textarea>" in html
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("header", ["HTTP_USER_AGENT", "HTTP_REFERER"])
def test_control_characters_in_request_headers_are_stripped(client, essay, header):
    response = client.post(post_url(essay), comment_form_data(), **{header: "bad\x00\x01value"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert "badvalue" in (comment.user_agent, comment.referrer)


def test_a_malformed_remote_address_is_stored_as_unknown(client, essay):
    response = client.post(post_url(essay), comment_form_data(), REMOTE_ADDR="not-an-ip")
    assert response.status_code == 302
    assert Comment.objects.get().ip_address is None


def test_failed_post_on_a_gated_essay_does_not_reveal_the_body(client):
    from tests.factories import make_warning

    gated = make_essay(body="Behind the gate.", warnings=[make_warning(gates=True)])
    response = client.post(post_url(gated), comment_form_data(body="", author_name="Me"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Behind the gate." not in html
    assert "Please enter your comment!" in html and 'value="Me"' in html


def test_duplicate_check_only_looks_at_the_same_address(client, essay):
    client.post(post_url(essay), comment_form_data(body="Thank you."), REMOTE_ADDR="198.51.100.1")
    other = client.post(post_url(essay), comment_form_data(body="Thank you."),
                        REMOTE_ADDR="198.51.100.2")  # fmt: skip
    assert other.status_code == 302
    assert Comment.objects.count() == 2


def test_the_essay_is_still_shown_above_a_form_with_errors(client, essay):
    response = client.post(post_url(essay), comment_form_data(body=""))
    assert "Essay body." in response.content.decode()


def test_the_form_stamp_never_makes_a_form_look_older_than_it_is(monkeypatch):
    """Each process signs the stamp once a second; it names the next whole second."""
    from comments import forms

    now = [1_800_000_000.25]
    monkeypatch.setattr(forms.time, "time", lambda: now[0])
    stamp = forms.fresh_form_stamp()
    assert forms.seconds_since(stamp) == 0.0  # shown just now: not a moment older
    now[0] += 0.5
    assert forms.fresh_form_stamp() == stamp  # same second: the same signed stamp
    now[0] += 4
    assert 3.0 < forms.seconds_since(stamp) <= 4.5
    assert forms.fresh_form_stamp() != stamp
    assert forms.seconds_since(stamp + "x") is None  # and it is still signed


@pytest.mark.parametrize(
    "body",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "<iframe src='https://evil.example'></iframe>\n\n<div>  </div>",
        "<style>p{}</style><p> &nbsp; </p>",
    ],
)
def test_a_comment_that_sanitizes_to_nothing_is_refused_with_its_text_kept(client, essay, body):
    response = client.post(post_url(essay), comment_form_data(body=body))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your comment has no text left once the HTML we do not allow" in html
    # Next to the field: in the error list the textarea points to, not only at the top.
    assert re.search(r'id="id_body_error"><li>Your comment has no text left', html)
    assert re.search(r'<textarea[^>]*aria-describedby="[^"]*id_body_error', html)
    from django.utils.html import escape

    assert escape(body) in html  # the reader's text is back in the form
    assert not Comment.objects.exists()


def test_a_comment_with_words_beside_stripped_html_is_accepted(client, essay):
    response = client.post(post_url(essay), comment_form_data(body="<img src=x> Still here."))
    assert response.status_code == 302
    assert "Still here." in Comment.objects.get().body_html
