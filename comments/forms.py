"""The comment form: what a reader may send, with the messages they see when it is wrong."""

import html
import math
import re
import time

from django import forms
from django.conf import settings
from django.core.signing import BadSignature, Signer
from django.core.validators import MaxLengthValidator, URLValidator

from blog.http import strip_control
from blog.labels import warning_label
from blog.markup import COMMENT_ALLOWED_TAGS_TEXT, plain_text, render_comment
from comments.models import Comment

# Line breaks and tabs, which a one-line field turns into spaces.
_LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029]+")


class CleanTextField(forms.CharField):
    """A CharField that drops invisible control characters instead of failing on them."""

    def __init__(self, *, single_line: bool = True, **kwargs):
        self.single_line = single_line
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            # Browsers send a line break as CRLF but count it as one character (maxlength).
            value = strip_control(value.replace("\r\n", "\n"))
            if self.single_line:
                value = _LINE_BREAKS.sub(" ", value)
        return super().to_python(value)


class CleanEmailField(forms.EmailField):
    def to_python(self, value):
        if isinstance(value, str):
            value = strip_control(_LINE_BREAKS.sub("", value))
        return super().to_python(value)


class CleanURLField(forms.URLField):
    default_validators = [URLValidator(schemes=["http", "https"])]

    def to_python(self, value):
        if isinstance(value, str):
            value = strip_control(_LINE_BREAKS.sub("", value))
        return super().to_python(value)


STAMP_SALT = "comments.form-started"
# A form older than this is treated like one without a stamp.
STAMP_MAX_AGE = 24 * 60 * 60


def seconds_since(stamp: str) -> float | None:
    """Seconds since the form carrying `stamp` was shown, or None if it is not genuine."""
    try:
        # A stamp signed before the stamps became shared also carried its signing time
        # ("when:signed"); what counts is `when` either way.
        value = Signer(salt=STAMP_SALT).unsign(stamp).split(":", 1)[0]
        started = float(value)
    except (BadSignature, ValueError, TypeError):
        return None
    elapsed = time.time() - started
    if elapsed > STAMP_MAX_AGE:
        return None
    return max(0.0, elapsed)


_stamp = (0, "")


def fresh_form_stamp(request=None) -> str:
    """A signed "form shown by then" stamp for the time trap, the same for every reader.

    Time is cut into windows of CACHE_SHARED_SECONDS (how long a shared cache may keep a
    page), and the stamp names the END of the current one: every page rendered in the
    window carries the same bytes, in every process, and a form never looks older than it
    is when it leaves us. A shared cache may hand it out up to one window later, so keep
    the window well under MODERATION_MIN_SECONDS. Each process signs it once per window.
    """
    global _stamp
    window = max(1, int(settings.CACHE_SHARED_SECONDS))
    end = (math.floor(time.time()) // window + 1) * window
    if _stamp[0] != end:
        _stamp = (end, Signer(salt=STAMP_SALT).sign(str(end)))
    return _stamp[1]


NOTHING_LEFT = (
    "Your comment has no text left once the HTML we do not allow (such as images and "
    "scripts) is taken out. Please write it in words; these tags are fine: "
    + COMMENT_ALLOWED_TAGS_TEXT
    + "."
)

NO_PARENT = (
    "The comment you are replying to is no longer available. Your text is below: you can "
    "post it as a new comment."
)


NEED_EMAIL = (
    "Please give your email address so we can tell you about replies, or untick the "
    "email boxes below."
)


def _too_long(what: str, limit: int) -> str:
    return f"Please keep your {what} to {limit:,} characters or fewer (it has %(show_value)s)."


class CommentForm(forms.Form):
    body = CleanTextField(
        label="Comment",
        single_line=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text="Plain text; leave a blank line between paragraphs. Web addresses become "
        "links. You may also use these HTML tags: " + COMMENT_ALLOWED_TAGS_TEXT,
        error_messages={"required": "Please enter your comment!"},
    )
    content_warning = CleanTextField(
        label="Content warning (optional)",
        required=False,
        max_length=200,
        help_text="If your comment describes something others may want warning of, name it "
        "here; your comment will be folded away behind it.",
        error_messages={"max_length": _too_long("content warning", 200)},
    )
    author_name = CleanTextField(
        label="Name",
        max_length=100,
        help_text="Shown with your comment. A pseudonym is fine.",
        error_messages={
            "required": "Please enter your name here",
            "max_length": _too_long("name", 100),
        },
    )
    author_email = CleanEmailField(
        label="Email (optional)",
        required=False,
        max_length=254,
        help_text="Never published. Used only if a moderator needs to reach you, or for the "
        "emails you ask for below.",
        error_messages={
            "invalid": "Please enter a valid email address, like name@example.org, "
            "or leave it empty.",
            "max_length": _too_long("email address", 254),
        },
    )
    author_url = CleanURLField(
        label="Website (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={
            "invalid": "Please enter a web address, like https://example.org, or leave it empty.",
            "max_length": _too_long("website address", 500),
        },
    )
    remember = forms.BooleanField(
        label="Save my name, email, and website in this browser for the next time I comment.",
        required=False,
    )
    notify_replies = forms.BooleanField(
        label="Email me when someone replies to my comment", required=False
    )
    notify_discussion = forms.BooleanField(
        label="Email me about every new comment in this discussion", required=False
    )
    parent = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(["invalid", "min_value", "max_value"], NO_PARENT),
    )
    # Left empty by people, who never see it; bots that fill every field fill it too.
    homepage = CleanTextField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_warning"].label = f"{warning_label()} (optional)"
        if not self.is_bound:
            self.initial.setdefault("started", fresh_form_stamp())
        # No maxlength attribute on the textarea: a browser would cut a pasted text short
        # without a word; the server says how long it is instead.
        limit = settings.COMMENTS_MAX_LENGTH
        body = self.fields["body"]
        body.max_length = limit
        body.validators.append(MaxLengthValidator(limit))
        body.error_messages["max_length"] = _too_long("comment", limit)

    def clean(self):
        data = super().clean()
        wants = data.get("notify_replies") or data.get("notify_discussion")
        if wants and not data.get("author_email") and "author_email" not in self.errors:
            self.add_error("author_email", NEED_EMAIL)
        return data

    DETAIL_FIELDS = ("content_warning", "author_name", "author_email", "author_url")

    @property
    def detail_fields(self):
        """The fields drawn one by one under the comment box, in order (the template
        draws the box, the checkboxes and the hidden fields itself)."""
        return [self[name] for name in self.DETAIL_FIELDS if name in self.fields]

    @property
    def notify(self) -> str:
        """What the writer asked to be emailed about, the wider choice when both."""
        data = self.cleaned_data
        if data.get("notify_discussion"):
            return Comment.Notify.DISCUSSION
        return Comment.Notify.REPLIES if data.get("notify_replies") else Comment.Notify.NOTHING

    def clean_body(self):
        body = self.cleaned_data["body"]
        if body and not html.unescape(plain_text(render_comment(body))).strip():
            raise forms.ValidationError(NOTHING_LEFT, code="empty_after_sanitizing")
        return body


class EditCommentForm(CommentForm):
    """A writer's change to their own comment: the text and its content warning only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in ("body", "content_warning"):
                del self.fields[name]
