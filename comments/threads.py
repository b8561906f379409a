"""A page of comment threads for one essay and one reader, in path order for one template loop."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, Subquery

from comments.models import SEGMENT_LENGTH, Comment
from comments.services import can_change_own

PAGE_PARAM = "cpage"


def _root_order(field="thread"):
    return f"-{field}" if settings.COMMENTS_NEWEST_FIRST else field


THREAD_FIELDS = (
    "id", "parent_id", "depth", "author_name", "author_url", "body_html", "content_warning",
    "status", "created_at", "edited_at",
)  # fmt: skip


class ThreadRow:
    """One comment on a page of threads: the fields the page shows, as plain attributes,
    and what this reader's page says about it (set by _annotate).

    A thousand model instances cost a large part of a cold render (Django builds each
    field by field, deferred ones included); a row of values costs a tuple unpacking.
    """

    __slots__ = (
        *THREAD_FIELDS, "own_pending", "placeholder", "hidden_by_reader", "can_reply",
        "own_changeable", "reply_to", "level",
    )  # fmt: skip

    def __init__(self, values):
        (
            self.id, self.parent_id, self.depth, self.author_name, self.author_url,
            self.body_html, self.content_warning, self.status, self.created_at, self.edited_at,
        ) = values  # fmt: skip

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class ThreadPage:
    comments: list[ThreadRow]
    page: Page
    own_ids: set[int] = field(default_factory=set)

    @property
    def paginated(self) -> bool:
        return self.page.paginator.num_pages > 1


def thread_page(
    essay, *, page_number=None, own_ids=frozenset(), editable=frozenset(), hidden=frozenset()
) -> ThreadPage:
    """One page of threads (top-level comments with every reply), in two queries.

    Each comment gets attributes for the template: `placeholder` (text shown instead of a
    comment that is no longer public but has public replies), `own_pending`, `can_reply`,
    `hidden_by_reader` (this reader hid it), `reply_to` (the parent, for "replying to
    NAME") and `level` (how many of its ancestors are on the page: the nesting of its list).
    """
    roots = Comment.objects.visible_roots(essay, own_ids=own_ids).order_by(_root_order())
    paginator = Paginator(
        roots.values_list("thread", flat=True), settings.COMMENTS_THREADS_PER_PAGE
    )
    page = paginator.get_page(page_number)
    if not paginator.count:
        return ThreadPage(comments=[], page=page, own_ids=set(own_ids))

    start = (page.number - 1) * paginator.per_page
    page_threads = roots.values("thread")[start : start + paginator.per_page]
    public_descendant = Comment.objects.filter(
        essay=essay,
        thread=OuterRef("thread"),
        status=Comment.Status.APPROVED,
        depth__gt=OuterRef("depth"),
        path__startswith=OuterRef("path"),
    )
    rows = [
        ThreadRow(values)
        for values in Comment.objects.filter(essay=essay, thread__in=Subquery(page_threads))
        .filter(
            Q(status=Comment.Status.APPROVED) | Q(pk__in=list(own_ids)) | Exists(public_descendant)
        )
        .order_by(_root_order(), "path")
        .values_list(*THREAD_FIELDS)
    ]
    return ThreadPage(
        comments=_annotate(rows, own_ids, editable, hidden), page=page, own_ids=set(own_ids)
    )


def _annotate(rows: list[ThreadRow], own_ids, editable=frozenset(), hidden=frozenset()):
    by_id = {c.pk: c for c in rows}
    max_depth = settings.COMMENTS_MAX_DEPTH
    # The ancestors on the page of the comment at hand, nearest last. Rows are in path
    # order, so a comment's ancestors are the rows before it with a smaller depth. Its
    # level is usually its depth, but an ancestor left off the page (someone else's
    # pending comment above this reader's own pending reply) is no list to nest in.
    ancestors: list[ThreadRow] = []
    for comment in rows:
        while ancestors and ancestors[-1].depth >= comment.depth:
            ancestors.pop()
        # Replies stored deeper than the site nests (an imported thread) are shown at the
        # deepest level, each with "replying to" its real parent.
        comment.level = min(len(ancestors), max_depth - 1)
        ancestors.append(comment)
        public = comment.status == Comment.Status.APPROVED
        # Spam (from a filter or a moderator's ban) looks held to its own writer: it tells a
        # spammer or a banned author nothing they could work around (README, "Bans").
        comment.own_pending = comment.pk in own_ids and comment.status in (
            Comment.Status.PENDING, Comment.Status.SPAM)  # fmt: skip
        comment.placeholder = None
        if not public and not comment.own_pending:
            comment.placeholder = (
                "This comment is hidden while a moderator reviews it."
                if comment.status == Comment.Status.PENDING
                else "This comment was removed."
            )
        comment.hidden_by_reader = public and comment.pk in hidden
        comment.can_reply = public and comment.depth < max_depth - 1
        comment.own_changeable = can_change_own(comment, editable)
        parent = by_id.get(comment.parent_id)
        comment.reply_to = (
            parent
            if parent is not None and parent.placeholder is None and not parent.hidden_by_reader
            else None
        )
    return rows


def page_of_comment(comment: Comment, *, own_ids=frozenset()) -> int:
    """The page of its essay's threads on which a comment appears."""
    roots = Comment.objects.visible_roots(comment.essay, own_ids=own_ids)
    root_thread = comment.path[:SEGMENT_LENGTH]
    if settings.COMMENTS_NEWEST_FIRST:
        before = roots.filter(thread__gt=root_thread).count()
    else:
        before = roots.filter(thread__lt=root_thread).count()
    return before // settings.COMMENTS_THREADS_PER_PAGE + 1


def comment_location(comment: Comment, *, own_ids=frozenset()) -> str:
    """The essay URL, with the right page of threads, at the comment's anchor."""
    page = page_of_comment(comment, own_ids=own_ids)
    query = f"?{PAGE_PARAM}={page}" if page > 1 else ""
    return f"{comment.essay.get_absolute_url()}{query}#{comment.anchor}"
