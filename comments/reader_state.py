"""What a reader's browser keeps about comments, read and written in one place: the
comments its session wrote (in the session), and in signed cookies (blog.cookies) the ones
it may still change, the ones it hid, the name it asked us to remember, and the token that
says it wrote its earlier comments."""

import hashlib
import secrets

from django.conf import settings

from blog.cookies import load_signed_cookie, store_signed_cookie
from comments.models import Comment

OWN_COMMENTS_SESSION_KEY = "comments.own"
MAX_OWN_COMMENTS = 50


def own_comment_ids(request) -> set[int]:
    """Ids of the comments this browser session wrote (to show them while pending)."""
    if not hasattr(request, "session") or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return set()
    ids = request.session.get(OWN_COMMENTS_SESSION_KEY, [])
    return {i for i in ids if isinstance(i, int)}


def remember_own_comment(request, comment: Comment) -> None:
    ids = [i for i in request.session.get(OWN_COMMENTS_SESSION_KEY, []) if i != comment.pk]
    request.session[OWN_COMMENTS_SESSION_KEY] = [*ids, comment.pk][-MAX_OWN_COMMENTS:]


EDIT_SALT = "comments.edit"
MAX_EDITABLE = 10


def editable_comment_ids(request) -> set[int]:
    """Comments this browser may still edit or delete: ids in a signed cookie that expires
    with the edit window (a stolen session id alone is not enough)."""
    ids = load_signed_cookie(
        request, settings.COMMENTS_EDIT_COOKIE, salt=EDIT_SALT, max_age=_edit_window_seconds()
    )
    return {i for i in ids if isinstance(i, int)} if isinstance(ids, list) else set()


def remember_editable(request, response, comment: Comment) -> None:
    ids = [i for i in editable_comment_ids(request) if i != comment.pk]
    store_signed_cookie(
        response, settings.COMMENTS_EDIT_COOKIE, [*ids, comment.pk][-MAX_EDITABLE:],
        salt=EDIT_SALT, max_age=_edit_window_seconds(),
    )  # fmt: skip


HIDDEN_SALT = "comments.hidden"
HIDDEN_MAX_AGE = 365 * 24 * 60 * 60
MAX_HIDDEN = 300


def hidden_comment_ids(request) -> set[int]:
    """Comments this reader chose to hide for themselves (kept in their browser only)."""
    ids = load_signed_cookie(
        request, settings.COMMENTS_HIDDEN_COOKIE, salt=HIDDEN_SALT, max_age=HIDDEN_MAX_AGE
    )
    return {i for i in ids if isinstance(i, int)} if isinstance(ids, list) else set()


def remember_hidden(request, response, comment_id: int, *, hidden: bool) -> None:
    ids = [i for i in sorted(hidden_comment_ids(request)) if i != comment_id]
    if hidden:
        ids.append(comment_id)
    if not ids:
        response.delete_cookie(settings.COMMENTS_HIDDEN_COOKIE, samesite="Lax")
        return
    store_signed_cookie(
        response, settings.COMMENTS_HIDDEN_COOKIE, ids[-MAX_HIDDEN:],
        salt=HIDDEN_SALT, max_age=HIDDEN_MAX_AGE,
    )  # fmt: skip


def _edit_window_seconds() -> int:
    return settings.COMMENTS_EDIT_WINDOW_MINUTES * 60


AUTHOR_COOKIE_SALT = "comments.author"
AUTHOR_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def saved_author(request) -> dict:
    """Name, email and website the reader asked this browser to remember, if any."""
    data = load_signed_cookie(
        request, settings.COMMENTS_AUTHOR_COOKIE, salt=AUTHOR_COOKIE_SALT,
        max_age=AUTHOR_COOKIE_MAX_AGE,
    )  # fmt: skip
    if not isinstance(data, dict):
        return {}
    keys = ("author_name", "author_email", "author_url")
    return {k: v for k, v in data.items() if k in keys and isinstance(v, str)}


def remember_author(request, response, data: dict) -> None:
    """Keep the name, email and website when the reader ticked "remember", else forget them."""
    if data["remember"]:
        value = {k: data[k] for k in ("author_name", "author_email", "author_url")}
        store_signed_cookie(
            response, settings.COMMENTS_AUTHOR_COOKIE, value, salt=AUTHOR_COOKIE_SALT,
            max_age=AUTHOR_COOKIE_MAX_AGE,
        )  # fmt: skip
    elif settings.COMMENTS_AUTHOR_COOKIE in request.COOKIES:
        response.delete_cookie(settings.COMMENTS_AUTHOR_COOKIE, samesite="Lax")


WRITER_SALT = "comments.writer"
WRITER_MAX_AGE = 365 * 24 * 60 * 60


def writer_token(request) -> str:
    """This browser's writer token (from its signed cookie), or a new one if it has none."""
    token = load_signed_cookie(
        request, settings.COMMENTS_WRITER_COOKIE, salt=WRITER_SALT, max_age=WRITER_MAX_AGE
    )
    if isinstance(token, str) and 20 <= len(token) <= 100:
        return token
    return secrets.token_urlsafe(32)


def writer_key(token: str) -> str:
    """What a comment stores of its writer's token: a one-way hash, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def remember_writer(response, token: str) -> None:
    """Keep (or refresh) the writer token in the browser that posted a comment."""
    store_signed_cookie(
        response, settings.COMMENTS_WRITER_COOKIE, token, salt=WRITER_SALT,
        max_age=WRITER_MAX_AGE,
    )  # fmt: skip
