import random
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from comments.services import RequestMeta, reply_parent, submit_comment
from tests.factories import comment_form_data, make_comment, make_essay

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return make_essay()


def post_url(essay):
    return f"/essays/{essay.slug}/comment/"


def chain(essay, length):
    comments, parent = [], None
    for _ in range(length):
        parent = make_comment(essay, parent=parent)
        comments.append(parent)
    return comments


VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list[Element] = []
        self.text = ""

    def find_all(self, tag=None, **attrs):
        for child in self.children:
            if (tag is None or child.tag == tag) and all(
                child.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()
            ):
                yield child
            yield from child.find_all(tag, **attrs)

    def find(self, tag=None, **attrs):
        return next(self.find_all(tag, **attrs))

    def closest(self, tag):
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node

    @property
    def classes(self):
        return self.attrs.get("class", "").split()

    def all_text(self):
        return self.text + "".join(c.all_text() for c in self.children)


class TreeBuilder(HTMLParser):
    """The page as a tree of elements; an end tag that closes anything but the element
    open last (as unbalanced lists would) fails the test."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.open = Element("document", [], None)

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.open)
        self.open.children.append(element)
        if tag not in VOID_TAGS:
            self.open = element

    def handle_endtag(self, tag):
        assert self.open.tag == tag, f"</{tag}> closes <{self.open.tag}> {self.open.attrs}"
        self.open = self.open.parent

    def handle_data(self, data):
        self.open.text += data


def page_tree(client, url) -> Element:
    builder = TreeBuilder()
    builder.feed(client.get(url).content.decode())
    builder.close()
    assert builder.open is builder.root, "elements left open at the end of the page"
    return builder.root


def test_replies_are_lists_inside_their_parents_item(client, essay):
    first = make_comment(essay, body="First root.")
    reply = make_comment(essay, parent=first, body="Reply to first.")
    second = make_comment(essay, body="Second root.")
    nested = make_comment(essay, parent=reply, body="Reply to reply.")
    sibling = make_comment(essay, parent=first, body="Second reply to first.")
    tree = page_tree(client, essay.get_absolute_url())
    items = {c.pk: tree.find("li", id=f"comment-{c.pk}") for c in (first, reply, second, nested)}
    items[sibling.pk] = tree.find("li", id=f"comment-{sibling.pk}")
    for root in (first, second):
        assert items[root.pk].parent.classes == ["comment-list"]
        assert items[root.pk].closest("li") is None
    for child, parent in [(reply, first), (sibling, first), (nested, reply)]:
        assert items[child.pk].parent.tag == "ol"
        assert items[child.pk].parent.classes == ["children"]
        assert items[child.pk].closest("li") is items[parent.pk]
    assert [li.attrs["id"] for li in items[first.pk].find("ol").children] == [
        f"comment-{reply.pk}", f"comment-{sibling.pk}"
    ]  # fmt: skip
    assert "comment depth-2" in items[nested.pk].attrs["class"]  # depth classes stay
    reply_to = items[nested.pk].find("span", class_="comment-reply-to")
    assert reply_to.all_text() == f"replying to {reply.author_name}"
    assert reply_to.find("a").attrs["href"] == f"#comment-{reply.pk}"


def test_replies_stored_deeper_than_the_limit_are_shown_at_the_deepest_level(
    client, essay, settings
):
    settings.COMMENTS_MAX_DEPTH = 3
    comments = chain(essay, 6)  # an imported thread keeps every real parent
    tree = page_tree(client, essay.get_absolute_url())
    items = [tree.find("li", id=f"comment-{c.pk}") for c in comments]
    assert items[2].closest("li") is items[1]
    for deeper in items[3:]:  # siblings of the third level, under the second
        assert deeper.closest("li") is items[1]
    reply_to = items[5].find("span", class_="comment-reply-to")
    assert reply_to.find("a").attrs["href"] == f"#comment-{comments[4].pk}"


def test_lists_stay_balanced_when_an_ancestor_is_left_off_the_page(client, essay):
    root = make_comment(essay, author_name="Root")
    middle = make_comment(essay, parent=root, author_name="Middle")
    client.post(post_url(essay), comment_form_data(parent=middle.pk, body="My own reply."))
    mine = Comment.objects.get(body="My own reply.")
    # Someone else's comment between, held again; this reader's reply to it still pending.
    Comment.objects.filter(pk__in=[middle.pk, mine.pk]).update(status="pending")
    after = make_comment(essay, body="A later thread.")
    tree = page_tree(client, essay.get_absolute_url())
    assert not list(tree.find_all("li", id=f"comment-{middle.pk}"))
    own = tree.find("li", id=f"comment-{mine.pk}")
    assert "comment-pending" in own.classes
    assert own.closest("li") is tree.find("li", id=f"comment-{root.pk}")
    assert tree.find("li", id=f"comment-{after.pk}").parent.classes == ["comment-list"]


def test_the_reply_form_sits_under_its_comment_above_the_replies(client, essay):
    target = make_comment(essay, author_name="Dana")
    reply = make_comment(essay, parent=target)
    tree = page_tree(client, f"{essay.get_absolute_url()}?replytocom={target.pk}")
    item = tree.find("li", id=f"comment-{target.pk}")
    assert [child.tag for child in item.children] == ["article", "div", "ol"]
    assert item.children[1].attrs["id"] == "respond"
    assert item.children[2].find("li").attrs["id"] == f"comment-{reply.pk}"


def test_user_text_is_escaped_in_every_slot(client, essay):
    name = """<b onclick="x()">Ann's</b> & co"""
    url = """https://example.org/?q="><img src=x onerror=alert(1)>"""
    warning = """<i>self-harm</i> "details" & more"""
    comment = make_comment(essay, author_name=name, author_url=url, content_warning=warning)
    make_comment(essay, parent=comment)
    html = client.get(essay.get_absolute_url()).content.decode()
    section = html[html.index('<ol class="comment-list">') : html.index('id="respond-home"')]
    for markup in ("<b", "<img", "<i>", 'q="'):
        assert markup not in section
    tree = page_tree(client, essay.get_absolute_url())
    item = tree.find("li", id=f"comment-{comment.pk}")
    author = item.find("span", class_="comment-author").find("a")
    assert author.attrs["href"] == url and author.all_text() == name
    assert item.find("summary").all_text() == f"Content warning: {warning}"
    reply_link = item.find("a", class_="comment-reply-link")
    assert reply_link.attrs["data-author"] == name
    assert reply_link.attrs["aria-label"] == f"Reply to {name}"
    report_link = item.find("a", class_="comment-report-link")
    assert report_link.attrs["aria-label"] == f"Report the comment by {name}"
    replying_to = item.find("ol").find("span", class_="comment-reply-to")
    assert replying_to.all_text() == f"replying to {name}"


def test_dates_are_shown_in_the_site_time_zone_and_language(client, essay, settings):
    settings.TIME_ZONE = "Europe/London"
    comment = make_comment(essay)
    written = datetime(2026, 7, 3, 13, 5, tzinfo=UTC)  # 14:05 in London (summer time)
    Comment.objects.filter(pk=comment.pk).update(created_at=written)
    html = client.get(essay.get_absolute_url()).content.decode()
    assert '<time datetime="2026-07-03T14:05:00+01:00">3 July 2026, 14:05</time>' in html
    cache.clear()
    settings.LANGUAGE_CODE = "de"
    html = client.get(essay.get_absolute_url()).content.decode()
    assert '<time datetime="2026-07-03T14:05:00+01:00">3 Juli 2026, 14:05</time>' in html


def test_an_edited_comment_says_when_it_was_edited(client, essay, settings):
    settings.TIME_ZONE = "Europe/London"
    edited, untouched = make_comment(essay), make_comment(essay)
    Comment.objects.filter(pk=edited.pk).update(
        edited_at=datetime(2026, 7, 3, 13, 20, tzinfo=UTC)  # 14:20 in London
    )
    html = client.get(essay.get_absolute_url()).content.decode()
    header = re.search(rf'id="comment-{edited.pk}".*?</header>', html, re.S).group(0)
    assert header.endswith(
        '<span class="comment-edited">(edited <time datetime="2026-07-03T14:20:00+01:00">'
        "3 July 2026, 14:20</time>)</span></header>"
    )
    other = re.search(rf'id="comment-{untouched.pk}".*?</header>', html, re.S).group(0)
    assert "edited" not in other


def test_a_thousand_comments_are_counted_with_a_thousands_separator(client, essay):
    Comment.objects.bulk_create(
        Comment(essay=essay, path=f"{i:016x}", thread=f"{i:016x}", depth=0,
                author_name="R", body="Hi.", body_html="<p>Hi.</p>", status="approved")
        for i in range(1, 1001)
    )  # fmt: skip
    html = client.get(essay.get_absolute_url()).content.decode()
    assert '<h2 id="comments-heading">1,000 comments</h2>' in html


def test_a_project_template_replaces_the_thread_list(client, essay, settings, tmp_path):
    (tmp_path / "comments").mkdir()
    (tmp_path / "comments" / "_thread_list.html").write_text(
        '{% for c in comments %}<li class="ours" id="comment-{{ c.id }}">'
        "{{ c.author_name }}</li>{% endfor %}"
    )
    django_engine, jinja2_engine = settings.TEMPLATES
    settings.TEMPLATES = [django_engine, {**jinja2_engine, "DIRS": [tmp_path]}]
    comment = make_comment(essay, author_name="<b>Ann</b>")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert f'<li class="ours" id="comment-{comment.pk}">&lt;b&gt;Ann&lt;/b&gt;</li>' in html
    assert "comment-inner" not in html


def test_no_reply_link_at_the_maximum_depth(client, essay, settings):
    settings.COMMENTS_MAX_DEPTH = 5
    comments = chain(essay, 5)
    html = client.get(essay.get_absolute_url()).content.decode()
    for comment in comments[:4]:
        assert f"replytocom={comment.pk}#respond" in html
    assert f"replytocom={comments[4].pk}#respond" not in html


def test_forged_reply_past_the_maximum_depth_attaches_at_the_maximum_depth(client, essay, settings):
    settings.COMMENTS_MAX_DEPTH = 5
    deepest = chain(essay, 5)[-1]
    response = client.post(post_url(essay), comment_form_data(parent=deepest.pk, body="Deep."))
    assert response.status_code == 302
    reply = Comment.objects.get(body="Deep.")
    assert reply.depth == 4 and reply.parent_id == deepest.parent_id


@pytest.mark.parametrize(
    "kind", ["missing", "pending", "spam", "removed", "other_essay", "junk", "negative", "huge"]
)
def test_replies_to_unavailable_parents_are_refused_with_a_message(client, essay, kind):
    other = make_essay()
    parents = {
        "missing": 999999,
        "pending": make_comment(essay, status="pending").pk,
        "spam": make_comment(essay, status="spam").pk,
        "removed": make_comment(essay, status="removed").pk,
        "other_essay": make_comment(other).pk,
        "junk": "abc",
        "negative": -3,
        "huge": 10**30,
    }
    before = Comment.objects.count()
    response = client.post(
        post_url(essay), comment_form_data(parent=parents[kind], body="My careful reply.")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The comment you are replying to is no longer available." in html
    assert "My careful reply.</textarea>" in html
    assert re.search(r'<input type="hidden" name="parent" id="id_parent"\s*>', html)
    assert Comment.objects.count() == before


def test_reply_without_javascript_shows_replying_to_and_cancel(client, essay):
    target = make_comment(essay, author_name="Dana")
    html = client.get(f"{essay.get_absolute_url()}?replytocom={target.pk}").content.decode()
    assert "Replying to <span data-reply-name>Dana</span>" in html
    assert f'<a href="{essay.get_absolute_url()}#respond" class="cancel-reply"' in html
    assert f'name="parent" value="{target.pk}"' in html
    # The form sits under the comment being answered.
    assert html.index(f'id="comment-{target.pk}"') < html.index('id="respond"')


@pytest.mark.parametrize("value", ["abc", "-1", "99999999", "1e5", ""])
def test_bad_replytocom_values_fall_back_to_a_new_comment(client, essay, value):
    make_comment(essay)
    response = client.get(f"{essay.get_absolute_url()}?replytocom={value}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Leave a comment" in html and 'name="parent" id="id_parent"' in html


def test_removed_comment_with_public_replies_stays_as_a_placeholder(client, essay):
    root = make_comment(essay, body="Root text that was removed.")
    reply = make_comment(essay, parent=root, body="The reply stays.")
    lonely = make_comment(essay, body="Removed without replies.")
    Comment.objects.filter(pk__in=[root.pk, lonely.pk]).update(status="removed")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert "This comment was removed." in html
    assert "Root text that was removed." not in html
    assert "The reply stays." in html
    assert f'id="comment-{lonely.pk}"' not in html
    assert html.index(f'id="comment-{root.pk}"') < html.index(f'id="comment-{reply.pk}"')


def test_threads_are_paged_by_top_level_comment(client, essay, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    roots = [make_comment(essay, body=f"Root {i}.") for i in range(5)]
    make_comment(essay, parent=roots[0], body="Reply on page one.")
    page1 = client.get(essay.get_absolute_url()).content.decode()
    assert "Root 0." in page1 and "Root 1." in page1 and "Root 2." not in page1
    assert "Reply on page one." in page1
    assert "Comments page 1 of 3" in page1 and "?cpage=2#comments" in page1
    page3 = client.get(f"{essay.get_absolute_url()}?cpage=3").content.decode()
    assert "Root 4." in page3 and "Root 0." not in page3
    for junk in ["-1", "abc", "999"]:
        assert client.get(f"{essay.get_absolute_url()}?cpage={junk}").status_code == 200


def test_newest_first_setting_reverses_thread_order(client, essay, settings):
    settings.COMMENTS_NEWEST_FIRST = True
    old = make_comment(essay, body="Older.")
    make_comment(essay, body="Newer.")
    make_comment(essay, parent=old, body="Reply to older.")
    html = client.get(essay.get_absolute_url()).content.decode()
    assert html.index("Newer.") < html.index("Older.") < html.index("Reply to older.")


def test_permalink_lands_on_the_right_page(client, essay, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    roots = [make_comment(essay) for _ in range(5)]
    reply = make_comment(essay, parent=roots[4])
    response = client.get(f"/comments/{reply.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"{essay.get_absolute_url()}?cpage=3#comment-{reply.pk}"
    first = client.get(f"/comments/{roots[0].pk}/")
    assert first["Location"] == f"{essay.get_absolute_url()}#comment-{roots[0].pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="comment-{reply.pk}"' in page


def test_permalinks_of_hidden_comments_are_404(client, essay):
    pending = make_comment(essay, status="pending")
    spam = make_comment(essay, status="spam")
    assert client.get(f"/comments/{pending.pk}/").status_code == 404
    assert client.get(f"/comments/{spam.pk}/").status_code == 404
    assert client.get("/comments/424242/").status_code == 404


def test_new_comment_redirect_goes_to_its_page(client, essay, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    for _ in range(4):
        make_comment(essay)
    response = client.post(post_url(essay), comment_form_data(body="On page three."))
    comment = Comment.objects.get(body="On page three.")
    assert response["Location"] == f"{essay.get_absolute_url()}?cpage=3#comment-{comment.pk}"
    assert "On page three." in client.get(response["Location"]).content.decode()


def random_tree(essay, n, max_depth, seed=1):
    """n approved comments in random threads, one of them reaching max_depth levels."""
    rng = random.Random(seed)
    made = chain(essay, min(n, max_depth))
    for _ in range(n - len(made)):
        candidates = [c for c in made[-50:] if c.depth < max_depth - 1]
        parent = rng.choice(candidates) if candidates and rng.random() < 0.7 else None
        made.append(make_comment(essay, parent=parent))
    return made


@pytest.mark.parametrize("n", [0, 10, 500])
def test_essay_page_queries_do_not_grow_with_comments(
    client, essay, n, settings, django_assert_max_num_queries
):
    settings.COMMENTS_THREADS_PER_PAGE = 50
    made = random_tree(essay, n, settings.COMMENTS_MAX_DEPTH)
    if n:
        assert max(c.depth for c in made) == settings.COMMENTS_MAX_DEPTH - 1
    # The commenter's own session adds one query to read it.
    location = client.post(post_url(essay), comment_form_data(body="Mine."))["Location"]
    with django_assert_max_num_queries(6):
        response = client.get(location)
    assert response.status_code == 200
    assert "Mine." in response.content.decode()


def test_inserting_a_reply_costs_a_constant_number_of_queries(essay):
    random_tree(essay, 300, 5)
    parent = Comment.objects.filter(depth=2).first()
    meta = RequestMeta(ip_address="127.0.0.1", user_agent="t", referrer="", permalink="")
    import uuid

    with CaptureQueriesContext(connection) as queries:
        resolved = reply_parent(essay=essay, parent_id=parent.pk)
        submit_comment(
            essay=essay,
            parent=resolved,
            author_name="R",
            author_email="",
            author_url="",
            body="Reply.",
            content_warning="",
            request_meta=meta,
            submission_key=uuid.uuid4(),
        )
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    updates = [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(inserts) == 1 and not updates
    assert len(queries.captured_queries) <= 6


def test_path_order_is_thread_order(essay):
    made = random_tree(essay, 120, 5, seed=7)
    ordered = list(Comment.objects.filter(essay=essay).order_by("thread", "path"))
    position = {c.pk: i for i, c in enumerate(ordered)}
    for comment in made:
        if comment.parent_id:
            assert position[comment.parent_id] < position[comment.pk]
            assert comment.path.startswith(comment.parent.path)
    assert len({c.path for c in ordered}) == len(ordered)


def test_climbing_past_the_maximum_depth_never_lands_on_a_hidden_comment(client, essay, settings):
    settings.COMMENTS_MAX_DEPTH = 5
    comments = chain(essay, 5)
    Comment.objects.filter(pk=comments[3].pk).update(status="removed")
    before = Comment.objects.count()
    response = client.post(post_url(essay), comment_form_data(parent=comments[4].pk))
    assert response.status_code == 400
    assert Comment.objects.count() == before


def test_reply_form_with_errors_keeps_a_parent_from_another_page(client, essay, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 1
    make_comment(essay)
    later = make_comment(essay, author_name="On page two")
    response = client.post(post_url(essay), comment_form_data(parent=later.pk, body=""))
    html = response.content.decode()
    assert "Replying to <span data-reply-name>On page two</span>" in html
    assert f'name="parent" value="{later.pk}"' in html


def test_permalink_pages_count_from_the_newest_when_newest_first(client, essay, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    settings.COMMENTS_NEWEST_FIRST = True
    roots = [make_comment(essay) for _ in range(5)]
    assert client.get(f"/comments/{roots[0].pk}/")["Location"].endswith(
        f"?cpage=3#comment-{roots[0].pk}"
    )
    assert client.get(f"/comments/{roots[4].pk}/")["Location"] == (
        f"{essay.get_absolute_url()}#comment-{roots[4].pk}"
    )


def test_max_depth_setting_is_checked_at_startup(settings):
    from comments.checks import check_max_depth

    settings.COMMENTS_MAX_DEPTH = 40
    assert [e.id for e in check_max_depth(None)] == ["comments.E001"]
    settings.COMMENTS_MAX_DEPTH = 5
    assert check_max_depth(None) == []
