"""The thread list as HTML, built in Python.

A page may hold a thousand comments. Rendering each through Django's template engine cost
about 160 microseconds a comment (most of it variable resolution, number localisation and
the date filter); building the same markup with escaped f-strings costs a small fraction of
that. The markup lives here, in one function, instead of in comments/_section.html's loop;
everything around the loop stays in templates.
"""

from html import escape  # what django.utils.html.escape does, without its lazy-text check

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from comments.models import Comment

MONTHS = [
    "", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]  # fmt: skip


def readable_date(moment, zone=None) -> tuple[str, str]:
    """The ISO datetime and a reader's date ("3 March 2026, 14:05") in the site's time zone
    (`zone`, when the caller has looked it up once for many dates)."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    shown = f"{local.day} {MONTHS[local.month]} {local.year}, {local.hour:02d}:{local.minute:02d}"
    return local.isoformat(), shown


def render_comment_list(
    comments: list[Comment],
    *,
    permalink_base: str,
    reply_query: str,
    comments_open: bool,
    reply_to_pk: int | None = None,
    form_html: str = "",
    report_url: str = "",
    csrf_input: str = "",
) -> SafeString:
    """The <li> of every comment in display order, with the form under `reply_to_pk`.

    `report_url` is the address of a comment's report form with "{pk}" for its id ("" for
    no Report link); `csrf_input` is the token field for "Show it" on comments this reader
    hid (only their own pages have such comments).
    """
    parts = []
    add = parts.append
    zone = timezone.get_current_timezone()
    for c in comments:
        pk = c.pk
        classes = f"comment depth-{c.depth}"
        if c.own_pending:
            classes += " comment-pending"
        if c.placeholder:
            classes += " comment-placeholder"
            add(f'<li class="{classes}" id="comment-{pk}"><p class="comment-removed">'
                f"{c.placeholder}</p>")  # fmt: skip
        elif getattr(c, "hidden_by_reader", False):
            add(
                f'<li class="{classes} comment-placeholder comment-hidden" id="comment-{pk}">'
                f'<form class="comment-removed" method="post" action="{permalink_base}{pk}/hide/">'
                f'{csrf_input}You hid this comment. <button class="link-button" name="show" '
                f'value="1">Show it again</button></form>'
            )
        else:
            name = escape(c.author_name)
            author = (
                f'<a href="{escape(c.author_url)}" rel="nofollow ugc noopener">{name}</a>'
                if c.author_url
                else name
            )
            iso, shown = readable_date(c.created_at, zone)
            add(
                f'<li class="{classes}" id="comment-{pk}">'
                f'<article class="comment-inner" aria-labelledby="comment-{pk}-by">'
                f'<header class="comment-meta"><span class="comment-author" '
                f'id="comment-{pk}-by">{author}</span>'
            )
            if c.reply_to is not None:
                add(
                    f'<span class="comment-reply-to">replying to <a href="#comment-'
                    f'{c.reply_to.pk}">{escape(c.reply_to.author_name)}</a></span>'
                )
            add(
                f'<a class="comment-permalink" href="{permalink_base}{pk}/">'
                f'<time datetime="{iso}">{shown}</time></a></header>'
            )
            if c.own_pending:
                add(
                    '<p class="comment-awaiting"><strong>Your comment is awaiting moderation.'
                    "</strong> Only you can see it until a moderator approves it.</p>"
                )
            body = f'<div class="comment-body">{c.body_html}</div>'
            if c.content_warning:
                add(
                    f'<details class="comment-cw"><summary>Content warning: '
                    f"{escape(c.content_warning)}</summary>{body}</details>"
                )
            else:
                add(body)
            actions = []
            if comments_open and c.can_reply:
                actions.append(
                    f'<a class="comment-reply-link" '
                    f'href="{reply_query}replytocom={pk}#respond" data-reply-to="{pk}" '
                    f'data-author="{name}" aria-label="Reply to {name}">Reply</a>'
                )
            if report_url and not c.own_pending:  # only public comments can be reported
                actions.append(
                    f'<a class="comment-report-link" href="{report_url.format(pk=pk)}" '
                    f'data-report="{pk}" data-author="{name}" '
                    f'aria-label="Report the comment by {name}">Report</a>'
                )
            if getattr(c, "own_changeable", False):
                actions.append(
                    f'<a href="{permalink_base}{pk}/edit/">Edit<span class="visually-hidden">'
                    f" your comment</span></a>"
                    f' <a href="{permalink_base}{pk}/delete/">Delete<span '
                    f'class="visually-hidden"> your comment</span></a>'
                )
            if actions:
                add(f'<p class="comment-actions">{" ".join(actions)}</p>')
            add("</article>")
        if pk == reply_to_pk:
            add(form_html)
        add("</li>\n")
    # Every value above is escaped, or is body_html that blog.markup sanitized on save.
    return mark_safe("".join(parts))
