"""What comments announces. Receivers live in other apps; comments never imports them.

comment_will_be_posted is sent before a comment is saved. A receiver may refuse it by
raising CommentRefused (say, a flood limit); nothing is saved and the reader sees the message.

comment_submitted is sent once the new comment is committed, so receivers can start work
(spam screening) knowing the row exists.

comment_published is sent once a change that made a comment public (approved) commits:
by screening, a moderator, or a restore. A comment can be published more than once (after
an edit is screened again); receivers that act on it must be idempotent.
"""

from django.dispatch import Signal

comment_will_be_posted = Signal()  # kwargs: essay, parent, request_meta, author_name, ...
comment_submitted = Signal()  # kwargs: comment
# kwargs: comment, previous_body, previous_warning, previous_written_at (when the replaced
# words were first shown); sent on commit, after its writer changed it
comment_edited = Signal()
comment_withdrawn = Signal()  # kwargs: comment; sent on commit, after its writer deleted it
comment_published = Signal()  # kwargs: comment; sent on commit, after it became approved


class CommentRefused(Exception):
    """Raised by a comment_will_be_posted receiver to refuse a comment before it is saved."""

    def __init__(self, message: str, *, status: int = 403):
        super().__init__(message)
        self.message = message
        self.status = status
