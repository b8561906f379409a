"""Template tags blog's templates use to show comments, so blog never imports comments."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog.cross_origin import signed_in
from blog.http import positive_id
from blog.models import CommentPolicy
from comments.caching import essay_version, site_version
from comments.forms import CommentForm
from comments.models import Comment
from comments.reader_state import (
    editable_comment_ids,
    hidden_comment_ids,
    own_comment_ids,
    saved_author,
)
from comments.services import comments_are_open
from comments.threads import PAGE_PARAM, thread_page

register = template.Library()

SECTION_CACHE_SECONDS = 24 * 60 * 60


@register.simple_tag(takes_context=True)
def annotate_comment_counts(context, essays) -> str:
    """Set `comment_count` (approved comments) on each essay of a list, in one query."""
    essays = list(essays)
    ids = sorted(e.pk for e in essays)
    key = f"comments:counts:{site_version(context['request'])}:{','.join(map(str, ids))}"
    counts = cache.get(key)
    if counts is None:
        counts = dict(
            Comment.objects.public()
            .filter(essay__in=ids)
            .values_list("essay")
            .annotate(n=Count("id"))
            .values_list("essay", "n")
        )
        cache.set(key, counts, SECTION_CACHE_SECONDS)
    for essay in essays:
        essay.comment_count = counts.get(essay.pk, 0)
    return ""


def _pages(page) -> dict:
    return {
        "paginated": page.paginator.num_pages > 1,
        "number": page.number,
        "num_pages": page.paginator.num_pages,
        "previous": page.previous_page_number() if page.has_previous() else None,
        "next": page.next_page_number() if page.has_next() else None,
    }


def report_url() -> str:
    """The address of a comment's report form, with "{pk}" for its id ("" when off)."""
    if not settings.COMMENTS_REPORT_VIEW:
        return ""
    return reverse(settings.COMMENTS_REPORT_VIEW, kwargs={"pk": 0}).replace("/0/", "/{pk}/")


def _thread_html(threads, *, comments_open, page_query, reply_to=None, form_html="", csrf_input=""):
    """The <li> items of a page of threads, from the Jinja2 template comments/_thread_list.html
    (with `form_html` under `reply_to`, and `csrf_input` in the "Show it again" forms)."""
    report_prefix, _, report_suffix = report_url().partition("{pk}")
    html = render_to_string(
        "comments/_thread_list.html",
        {
            "comments": threads.comments,
            "permalink_base": reverse("comments:permalink", kwargs={"pk": 0}).removesuffix("0/"),
            "reply_query": f"{page_query}&" if page_query else "?",
            "comments_open": comments_open,
            "reply_to_pk": reply_to.pk if reply_to else None,
            "form_html": form_html,
            "report_prefix": report_prefix,
            "report_suffix": report_suffix,
            "csrf_input": csrf_input,
        },
        using="jinja2",
    )
    # A Jinja2 template with autoescaping; body_html was sanitized when the comment was saved.
    return mark_safe(html)


def _page_query(number: int) -> str:
    return f"?{PAGE_PARAM}={number}" if number > 1 else ""


def _cached_threads(request, essay, page_number, comments_open) -> dict:
    """The thread list of one page as every reader without pending comments sees it.

    Cached in the shared cache under the essay's comments version, so a change to the
    comments (or to the page size, order or open state) is never served stale.
    """
    key = ":".join(
        str(part)
        for part in [
            "comments:threads", settings.RELEASE, essay.pk, essay_version(request, essay.pk),
            page_number,
            settings.COMMENTS_THREADS_PER_PAGE, settings.COMMENTS_NEWEST_FIRST,
            settings.COMMENTS_MAX_DEPTH, comments_open,
        ]
    )  # fmt: skip
    section = cache.get(key)
    if section is None:
        threads = thread_page(essay, page_number=page_number)
        number = threads.page.number
        section = {
            "html": str(
                _thread_html(threads, comments_open=comments_open, page_query=_page_query(number))
            ),
            "pages": _pages(threads.page),
            "count": essay.comments.public().count(),
        }
        cache.set(key, section, SECTION_CACHE_SECONDS)
    return section


def policy_notice(essay) -> str:
    """What readers are told of the essay's own comment policy (blog.models.CommentPolicy)."""
    policy = essay.comment_policy_now()
    until = essay.comment_policy_until
    when = f" until {timezone.localtime(until):%-d %B %Y}" if until else ""
    return {
        CommentPolicy.HOLD: "Comments on this essay are reviewed before they appear.",
        CommentPolicy.TRUSTED: "Comments on this essay are reviewed before they appear, "
        "except from returning commenters whose comments were approved before.",
        CommentPolicy.CLOSED: f"Comments on this essay are closed{when}.",
    }.get(policy, "")


@register.inclusion_tag("comments/_section.html", takes_context=True)
def render_comments(context, essay, form_only=False):
    """The comment section of an essay page: threads, paging, and the form.

    `form_only` leaves the threads out (for a page that must not show the essay's content).
    The thread list comes from the shared cache unless this reader has pending comments of
    their own or is replying to a particular comment; the form is always rendered for them.
    """
    request = context["request"]
    own_ids = own_comment_ids(request)
    editable = editable_comment_ids(request)
    hidden = hidden_comment_ids(request)
    comments_open = comments_are_open(essay)
    form = context.get("comment_form")
    requested_page = positive_id(request.GET.get(PAGE_PARAM)) or 1
    parent_id = positive_id(
        form["parent"].value() if form is not None else request.GET.get("replytocom")
    )

    reply_to, threads = None, None
    if form_only:
        section = {"html": "", "pages": {"paginated": False}, "count": 0}
    elif own_ids or editable or hidden or parent_id:
        threads = thread_page(
            essay, page_number=requested_page, own_ids=own_ids, editable=editable, hidden=hidden
        )
        reply_to = next((c for c in threads.comments if c.pk == parent_id and c.can_reply), None)
        section = {"pages": _pages(threads.page), "count": essay.comments.public().count()}
    else:
        section = _cached_threads(request, essay, requested_page, comments_open)

    if reply_to is None and parent_id and form is not None:
        # A reply from a form with errors whose parent is on another page of threads.
        reply_to = Comment.objects.public().filter(pk=parent_id, essay=essay).first()
    if form is None:
        author = saved_author(request)
        form = CommentForm(
            initial={**author, "remember": bool(author),
                     "parent": reply_to.pk if reply_to else None}
        )  # fmt: skip

    page_query = _page_query(section["pages"].get("number", 1))
    form_html = ""
    if comments_open:
        form_html = render_to_string(
            "comments/_form.html",
            {"essay": essay, "form": form, "reply_to": reply_to, "page_query": page_query,
             "request": request},
        )  # fmt: skip
    form_in_thread = (
        threads is not None
        and reply_to is not None
        and any(c.pk == reply_to.pk for c in threads.comments)
    )
    if threads is not None:
        section["html"] = _thread_html(
            threads, comments_open=comments_open, page_query=page_query,
            reply_to=reply_to if form_in_thread else None, form_html=form_html,
            csrf_input=format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
            ) if hidden and signed_in(request) else "",
        )  # fmt: skip
    return {
        "essay": essay,
        "comment_list": section["html"],
        "pages": section["pages"],
        "comment_count": section["count"],
        "form_html": form_html,
        "form_in_thread": form_in_thread,
        "comments_open": comments_open,
        "policy_notice": policy_notice(essay),
        # A comment sent just as comments closed: its words stay on the page to copy.
        "kept_text": form["body"].value() if form.is_bound and not comments_open else "",
        "refusal": context.get("comment_refusal", ""),
        "page_param": PAGE_PARAM,
        "form_only": form_only,
    }
