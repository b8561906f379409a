"""Template tags blog's templates use to show comments, so blog never imports comments."""

import uuid

from django import template
from django.core.paginator import Paginator
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import Comment
from comments.rendering import render_comment_list
from comments.services import comments_are_open
from comments.threads import PAGE_PARAM, ThreadPage, own_comment_ids, thread_page
from comments.views import saved_author

register = template.Library()


@register.simple_tag
def annotate_comment_counts(essays) -> str:
    """Set `comment_count` (approved comments) on each essay of a list, in one query."""
    essays = list(essays)
    counts = dict(
        Comment.objects.public()
        .filter(essay__in=[e.pk for e in essays])
        .values_list("essay")
        .annotate(n=Count("id"))
        .values_list("essay", "n")
    )
    for essay in essays:
        essay.comment_count = counts.get(essay.pk, 0)
    return ""


def _int_or_none(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@register.inclusion_tag("comments/_section.html", takes_context=True)
def render_comments(context, essay, form_only=False):
    """The comment section of an essay page: threads, paging, and the form.

    `form_only` leaves the threads out (for a page that must not show the essay's content).
    """
    request = context["request"]
    own_ids = own_comment_ids(request)
    threads = (
        ThreadPage(comments=[], page=Paginator([], 1).get_page(1))
        if form_only
        else thread_page(essay, page_number=request.GET.get(PAGE_PARAM), own_ids=own_ids)
    )

    def reply_target(parent_id):
        return next((c for c in threads.comments if c.pk == parent_id and c.can_reply), None)

    form = context.get("comment_form")
    if form is None:
        reply_to = reply_target(_int_or_none(request.GET.get("replytocom")))
        author = saved_author(request)
        form = CommentForm(
            initial={**author, "remember": bool(author), "submission_key": uuid.uuid4(),
                     "parent": reply_to.pk if reply_to else None}
        )  # fmt: skip
    else:
        parent_id = _int_or_none(form["parent"].value())
        reply_to = reply_target(parent_id)
        if reply_to is None and parent_id:  # the parent is on another page of threads
            reply_to = Comment.objects.public().filter(pk=parent_id, essay=essay).first()

    page_query = f"?{PAGE_PARAM}={threads.page.number}" if threads.page.number > 1 else ""
    open_ = comments_are_open(essay)
    form_in_thread = reply_to is not None and any(c.pk == reply_to.pk for c in threads.comments)
    form_context = {
        "essay": essay,
        "form": form,
        "reply_to": reply_to,
        "page_query": page_query,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
    form_html = render_to_string("comments/_form.html", form_context) if open_ else ""
    comment_list = render_comment_list(
        threads.comments,
        permalink_base=reverse("comments:permalink", kwargs={"pk": 0}).removesuffix("0/"),
        reply_query=f"{page_query}&amp;" if page_query else "?",
        comments_open=open_,
        reply_to_pk=reply_to.pk if form_in_thread else None,
        form_html=form_html,
    )
    return {
        "essay": essay,
        "threads": threads,
        "comment_list": comment_list,
        "form_html": form_html,
        "comment_count": 0 if form_only else essay.comments.public().count(),
        "form_only": form_only,
        "form_in_thread": form_in_thread,
        "comments_open": open_,
        "refusal": context.get("comment_refusal", ""),
        "page_param": PAGE_PARAM,
    }
