"""The moderators' tools beyond approve and remove: bans, an essay's policy, notes.

Each is a POST from a queue row (a button with `formaction` inside the queue's one form,
its fields suffixed with the comment's id) or from the commenter and bans pages. A refusal
shows the same fields again, filled in as sent, with the reason: nothing typed is lost.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from blog.http import positive_id, strip_control
from comments.models import Comment
from moderation import bans
from moderation.models import Ban, CommenterNote
from moderation.policy import POLICY_DURATIONS, QUEUE_CHOICES, PolicyRefused, set_policy

MODERATE = "comments.moderate_comment"


def moderator_view(view):
    return login_required(permission_required(MODERATE, raise_exception=True)(view))


def _back(request) -> str:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return reverse("moderation:queue")
    return back


def _field(request, name: str, comment_id: int) -> str:
    """A row's field (`name_<id>` in the queue's form) or the plain one (other pages)."""
    post = request.POST
    return strip_control(post.get(f"{name}_{comment_id}", post.get(name, "")))


def _comment(request, button: str) -> Comment:
    comment_id = positive_id(request.POST.get(button))
    return get_object_or_404(Comment.objects.select_related("essay"), pk=comment_id)


def tool_context(values=None, error="", *, tool="") -> dict:
    """What the tools' fields need (on queue rows and the retry page), besides each
    comment's `ban_choices`."""
    return {
        "values": values or {}, "error": error, "tool": tool,
        "ban_durations": [(k, label) for k, (label, _) in bans.DURATIONS.items()],
        "policy_choices": QUEUE_CHOICES,
        "policy_durations": [(k, label) for k, (label, _) in POLICY_DURATIONS.items()],
        "note_limit": CommenterNote.MAX_LENGTH,
    }  # fmt: skip


def _retry(request, comment, tool, values, error):
    comment.ban_choices = bans.choices_for(comment)
    context = tool_context(values, error, tool=tool) | {"comment": comment, "next": _back(request)}
    return render(request, "moderation/retry.html", context, status=400)


@require_POST
@moderator_view
def ban(request):
    comment = _comment(request, "ban_comment")
    choice = _field(request, "ban_kind", comment.pk)
    kind, _, value = choice.partition(":")
    values = {"kind": choice, "duration": _field(request, "ban_for", comment.pk),
              "reason": _field(request, "ban_reason", comment.pk)}  # fmt: skip
    try:
        made = bans.set_ban(
            kind=kind, value=value, reason=values["reason"], duration=values["duration"],
            comment=comment, moderator=request.user,
        )  # fmt: skip
    except bans.BanRefused as exc:
        return _retry(request, comment, "ban", values, exc.message)
    messages.success(request, f"Banned {made.label} {made.until}. Their new "
                     "comments will be held as spam. Undo it on the bans page.")  # fmt: skip
    return HttpResponseRedirect(_back(request))


@require_POST
@moderator_view
def lift(request, pk: int):
    try:
        lifted = bans.lift_ban(pk, moderator=request.user)
    except bans.BanRefused as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, f"The ban on {lifted.label} is lifted.")
    return HttpResponseRedirect(_back(request))


@moderator_view
def ban_list(request):
    listed = Ban.objects.select_related("created_by", "lifted_by", "comment")
    active = list(listed.active()[:200])
    ended = list(listed.exclude(pk__in=[b.pk for b in active]).order_by("-created_at")[:100])
    for b in active + ended:
        b.commenter = commenter_query(b.comment) if b.comment_id else ""
    lists = [("In force", active, True), ("Ended", ended, False)]
    return render(request, "moderation/bans.html", {"lists": lists})


@require_POST
@moderator_view
def essay_policy(request):
    comment = _comment(request, "policy_comment")
    values = {"policy": _field(request, "policy", comment.pk),
              "duration": _field(request, "policy_for", comment.pk),
              "reason": _field(request, "policy_reason", comment.pk)}  # fmt: skip
    try:
        decision = set_policy(
            essay=comment.essay, policy=values["policy"], reason=values["reason"],
            duration=values["duration"], comment=comment, moderator=request.user,
        )  # fmt: skip
    except PolicyRefused as exc:
        return _retry(request, comment, "policy", values, exc.message)
    messages.success(request, f"{comment.essay.title}: {decision.reason}")
    return HttpResponseRedirect(_back(request))


def add_note_to(request, *, commenter: str, text: str) -> str:
    """Store a note; "" when done, else what is wrong with it."""
    text = strip_control(text).strip()  # NUL: PostgreSQL refuses it in text
    if not text:
        return "Write the note first."
    if len(text) > CommenterNote.MAX_LENGTH:
        return (
            f"A note can be up to {CommenterNote.MAX_LENGTH:,} characters; this one has "
            f"{len(text):,}. Shorten it (it is kept below) and send it again."
        )
    CommenterNote.objects.create(commenter=commenter, body=text, author=request.user)
    return ""


@require_POST
@moderator_view
def add_note(request):
    comment = _comment(request, "note_comment")
    text = request.POST.get(f"note_{comment.pk}", request.POST.get("note", ""))
    key = bans.commenter_key(comment.author_email, comment.author_name)
    error = add_note_to(request, commenter=key, text=text)
    if error:
        return _retry(request, comment, "note", {"note": text}, error)
    messages.success(request, f"Note added on {comment.author_name}.")
    return HttpResponseRedirect(_back(request))


def commenter_query(comment) -> str:
    """The commenter page's query string for this comment's author."""
    if comment.author_email:
        return urlencode({"email": comment.author_email.casefold()})
    return urlencode({"name": comment.author_name})
