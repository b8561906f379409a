"""Posting a comment (post/redirect/get), comment permalinks, and an essay's comment feed."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from blog.caching import published_essay
from blog.cross_origin import cross_origin_protect
from blog.http import wants_json
from blog.labels import warning_label
from blog.models import Essay
from blog.preferences import ReadingPreferences
from blog.unavailable import DATABASE_DOWN, RETRY_AFTER_SECONDS
from comments.forms import NO_PARENT, CommentForm, EditCommentForm, seconds_since
from comments.models import Comment
from comments.reader_state import (
    editable_comment_ids,
    hidden_comment_ids,
    own_comment_ids,
    remember_author,
    remember_editable,
    remember_hidden,
    remember_own_comment,
    remember_writer,
    writer_key,
    writer_token,
)
from comments.services import (
    WRITER_CHANGEABLE,
    CommentRefused,
    ReplyNotAllowed,
    RequestMeta,
    can_change_own,
    comments_are_open,
    edit_own_comment,
    reply_parent,
    submit_comment,
    withdraw_own_comment,
)
from comments.threads import comment_location

logger = logging.getLogger(__name__)

# What a writer is told their comment is while it is not public: awaiting moderation, for
# spam too (a filter's or a moderator's ban), which tells a spammer or a banned author
# nothing they could work around.
HELD_FOR_WRITER = (Comment.Status.PENDING, Comment.Status.SPAM)


def _essay_page_with_form(request, essay, form, *, status, refusal=""):
    """The essay page again, with the reader's form (and their text) in place.

    A reader who has not passed the essay's warning screen in this browser (cookies off,
    or a form sent from elsewhere) gets the form alone: the body stays behind the gate.
    """
    context = {"essay": essay, "comment_form": form, "comment_refusal": refusal}
    try:
        if ReadingPreferences.from_request(request).warnings_to_confirm(essay):
            return render(request, "comments/form_page.html", context, status=status)
        return render(request, "blog/essay_detail.html", context, status=status)
    except DATABASE_DOWN:  # the threads around the form need it; the form does not
        return _try_again_page(request, essay, form, message=refusal, status=status)


ALREADY_PUBLISHED = "You had already posted this comment, so it was not posted twice."
ALREADY_RECEIVED = (
    "You had already sent this comment, so it was not posted twice. It is awaiting moderation."
)


NOT_SAVED = (
    "The site could not reach its database just now, so your comment may not have been "
    "saved. Your text is below: please send it again in a moment. If it did reach us, "
    "sending it again will not post it twice."
)
RECEIVED_UNCONFIRMED = (
    "Your comment was received. The site is having trouble just now, so it may take a "
    "moment to appear."
)


ASKED_FOR_EMAIL = (
    "You asked for emails about replies. Unless you have confirmed your address from this "
    "browser before, look for our email with a link to confirm it: nothing is sent until then."
)


def _try_again_page(request, essay: Essay, form, *, message=NOT_SAVED, status=503):
    """The reader's text in the form and why it was not posted, rendered without the
    database (no request context either: its processors would read the session)."""
    html = render_to_string(
        "comments/try_again.html",
        {"essay": essay, "form": form, "message": message, "site_name": settings.SITE_NAME},
    )
    response = HttpResponse(html, status=status)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    response["Cache-Control"] = "no-store"
    return response


@cross_origin_protect
@require_POST
def post_comment(request, slug):
    form = CommentForm(request.POST)
    try:
        essay = published_essay(request, slug)  # the cached copy readers' pages use: no query
    except DATABASE_DOWN:  # not in the cache, and the database unreachable
        form.is_valid()
        return _try_again_page(request, Essay(slug=slug), form)
    if essay is None:
        raise Http404("No such essay")
    if not comments_are_open(essay):
        refusal = "Comments are closed on this essay, so your comment was not posted."
        return _essay_page_with_form(request, essay, form, status=403, refusal=refusal)
    if not form.is_valid():
        if "parent" in form.errors:
            form = _without_parent(request)
        return _essay_page_with_form(request, essay, form, status=400)

    data = form.cleaned_data
    token = writer_token(request)
    try:
        parent = reply_parent(essay=essay, parent_id=data["parent"])
        submission = submit_comment(
            essay=essay,
            parent=parent,
            author_name=data["author_name"],
            author_email=data["author_email"],
            author_url=data["author_url"],
            body=data["body"],
            content_warning=data["content_warning"],
            notify=form.notify,
            request_meta=RequestMeta.from_request(
                request,
                permalink=settings.SITE_URL + essay.get_absolute_url(),
                form_honeypot=data["homepage"],
                form_seconds=seconds_since(data["started"]),
                writer_key=writer_key(token),
            ),
        )
    except ReplyNotAllowed:
        return _essay_page_with_form(request, essay, _without_parent(request), status=400)
    except CommentRefused as refused:
        return _essay_page_with_form(
            request, essay, form, status=refused.status, refusal=refused.message
        )
    except DATABASE_DOWN:
        # Before, during or at the commit: it may or may not be stored, and sending it
        # again is safe (a repeat within the hour is taken to the comment already saved).
        logger.warning("comment not stored, database unavailable", exc_info=True)
        return _try_again_page(request, essay, form)

    comment = submission.comment
    try:
        return _after_posting(request, submission, data, token)
    except DATABASE_DOWN:
        # Stored and committed; only the page that shows it failed. Saying so is the truth.
        logger.warning("comment %s stored, its page failed", comment.pk, exc_info=True)
        messages.info(request, RECEIVED_UNCONFIRMED)
        response = HttpResponseRedirect(comment.get_absolute_url())
        remember_author(request, response, data)
        if submission.created:
            remember_editable(request, response, comment)
            remember_writer(response, token)
        return response


def _after_posting(request, submission, data, token: str) -> HttpResponse:
    """The redirect to a comment just posted (or already there), with the reader's note."""
    comment = submission.comment
    if submission.created:
        remember_own_comment(request, comment)
    comment.refresh_from_db(fields=["status"])
    location = comment_location(comment, own_ids=own_comment_ids(request))
    if not submission.created:
        # A double click, or the same text sent again: no error, the reader is taken to
        # the comment already saved (it becomes theirs only in the browser that sent it).
        published = comment.status == Comment.Status.APPROVED
        messages.info(request, ALREADY_PUBLISHED if published else ALREADY_RECEIVED)
    elif comment.status == Comment.Status.APPROVED:
        messages.success(request, "Thank you. Your comment is published.")
    elif comment.status in HELD_FOR_WRITER:
        messages.info(request, "Your comment is awaiting moderation.")
    else:
        messages.info(request, "Thank you. Your comment was received.")
    if submission.created and comment.notify:
        messages.info(request, ASKED_FOR_EMAIL)
    response = HttpResponseRedirect(location)
    remember_author(request, response, data)
    if submission.created:
        remember_editable(request, response, comment)
        remember_writer(response, token)
    return response


def _without_parent(request):
    """The reader's form with its reply target dropped (so it posts at the top level), and
    a message saying why."""
    data = request.POST.copy()
    data["parent"] = ""
    form = CommentForm(data)
    form.is_valid()
    form.add_error(None, NO_PARENT)
    return form


def permalink(request, pk):
    """A comment's stable address: redirects to the right page of its essay."""
    own = own_comment_ids(request)
    comment = get_object_or_404(Comment.objects.select_related("essay"), pk=pk)
    # A writer's own spam looks held to them, here as on the page (comments.threads).
    visible = comment.is_public or (comment.pk in own and comment.status in HELD_FOR_WRITER)
    if not visible or not comment.essay.is_public:
        raise Http404("No such comment")
    return HttpResponseRedirect(comment_location(comment, own_ids=own))


def _own_comment(request, pk) -> Comment:
    """A comment this browser session wrote and may still change, or a clear refusal."""
    comment = get_object_or_404(Comment.objects.select_related("essay"), pk=pk)
    if comment.pk not in editable_comment_ids(request) or comment.status not in WRITER_CHANGEABLE:
        raise Http404("No such comment")
    return comment


def _window_closed(request, comment):
    minutes = settings.COMMENTS_EDIT_WINDOW_MINUTES
    messages.error(
        request,
        f"Comments can be changed or deleted for {minutes} minutes after posting; that time "
        "has passed for this one. A moderator can still remove it for you.",
    )
    return HttpResponseRedirect(comment_location(comment, own_ids=own_comment_ids(request)))


NO_LONGER_CHANGEABLE = (
    "A moderator has taken this comment down meanwhile, so it can no longer be changed. "
    "Your text is below if you want to keep a copy."
)


@cross_origin_protect
def edit_comment(request, pk):
    """Let the writer change their comment for a short while (it is screened again)."""
    comment = _own_comment(request, pk)
    if not can_change_own(comment, editable_comment_ids(request)):
        return _window_closed(request, comment)
    if request.method == "POST":
        form = EditCommentForm(request.POST)
        if form.is_valid():
            edited = edit_own_comment(
                comment=comment,
                body=form.cleaned_data["body"],
                content_warning=form.cleaned_data["content_warning"],
            )
            if edited:
                comment.refresh_from_db(fields=["status"])  # screening may have run already
                messages.info(
                    request,
                    "Your comment is changed."
                    + (" It is awaiting moderation." if comment.status == Comment.Status.PENDING
                       else ""),
                )  # fmt: skip
                own = own_comment_ids(request)
                return HttpResponseRedirect(comment_location(comment, own_ids=own))
            # A moderator took it down while its writer was typing: their text stays here.
            form.add_error(None, NO_LONGER_CHANGEABLE)
            status = 409
        else:
            status = 400
    else:
        form = EditCommentForm(
            initial={"body": comment.body, "content_warning": comment.content_warning}
        )
        status = 200
    return render(request, "comments/edit.html", {"comment": comment, "form": form}, status=status)


@cross_origin_protect
def delete_comment(request, pk):
    """Let the writer delete their comment for a short while (after asking once)."""
    comment = _own_comment(request, pk)
    if not can_change_own(comment, editable_comment_ids(request)):
        return _window_closed(request, comment)
    if request.method == "POST":
        withdraw_own_comment(comment=comment)
        messages.success(request, "Your comment is deleted.")
        return HttpResponseRedirect(comment.essay.get_absolute_url() + "#comments")
    return render(request, "comments/delete.html", {"comment": comment})


HIDDEN = "The comment is hidden for you, in this browser."
SHOWN = "The comment is shown again."


NOTHING_TO_HIDE = "There is no published comment here to hide."


@cross_origin_protect
@require_POST
def hide_comment(request, pk):
    """Hide a published comment for this reader only (`show=1` brings it back).

    Nothing is recorded on our side: the choice lives in a signed cookie in the browser.
    The inline dialog asks for JSON; a plain form post returns to the comment.
    """
    comment = Comment.objects.select_related("essay").filter(pk=pk).first()
    # Only what every reader can see may be hidden, plus what this browser hid before (so
    # it can be shown again after a moderator took it down). Anything else (no such id, a
    # held, spam or removed comment, an unpublished essay's) gets one and the same answer,
    # so the answer never tells that a comment exists out of sight.
    if (
        comment is None
        or not comment.essay.is_public
        or not (comment.is_public or comment.pk in hidden_comment_ids(request))
    ):
        if wants_json(request):
            return JsonResponse({"ok": False, "message": NOTHING_TO_HIDE}, status=404)
        raise Http404(NOTHING_TO_HIDE)
    hide = not request.POST.get("show")
    message = HIDDEN if hide else SHOWN
    if wants_json(request):
        response = JsonResponse({"ok": True, "hidden": hide, "message": message})
    else:
        messages.info(request, message)
        response = HttpResponseRedirect(comment_location(comment))
    remember_hidden(request, response, comment.pk, hidden=hide)
    return response


class EssayCommentsFeed(Feed):
    """The latest approved comments on one essay."""

    feed_type = Atom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Essay.objects.published(), slug=slug)

    def title(self, essay):
        return f"Comments on \u201c{essay.title}\u201d"

    def link(self, essay):
        return essay.get_absolute_url()

    def subtitle(self, essay):
        return f"Approved comments on {essay.title}, newest first."

    def items(self, essay):
        return essay.comments.public().select_related("essay").order_by("-created_at")[:30]

    def item_title(self, comment):
        return f"{comment.author_name} on \u201c{comment.essay.title}\u201d"

    def item_description(self, comment):
        if comment.content_warning:
            return format_html(
                "<p><strong>{}:</strong> {}</p>", warning_label(), comment.content_warning
            )
        return comment.body_html

    def item_author_name(self, comment):
        return comment.author_name

    def item_pubdate(self, comment):
        return comment.created_at

    def item_link(self, comment):
        return comment.get_absolute_url()
