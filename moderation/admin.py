"""Moderation in the Django admin: the same actions as the queue, and the word lists."""

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html_join

from blog.models import Essay
from comments.admin import CommentAdmin
from comments.models import Comment
from moderation import akismet
from moderation.bans import BanRefused, lift_ban
from moderation.models import (
    Ban,
    CommenterNote,
    Decision,
    EssayCommentPolicy,
    ListEntry,
    Report,
)
from moderation.policy import set_policy
from moderation.privacy import (
    erase_comments,
    erase_personal_data,
    export_personal_data,
    replace_stored_copies,
)
from moderation.services import ACTIONS, AlreadyActed, moderate

MODERATE = "comments.moderate_comment"


class RecordInline(admin.TabularInline):
    """A comment's records, shown as they were made: nothing to add, change or delete."""

    extra = 0
    can_delete = False
    ordering = ["created_at", "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class DecisionInline(RecordInline):
    model = Decision
    fields = ["created_at", "step", "outcome", "reason", "actor"]


class ReportInline(RecordInline):
    """Readers' reports on the comment: what and when, never who or from where."""

    model = Report
    fields = ["created_at", "reason", "note", "state", "resolved_at"]


def _action(name):
    act = ACTIONS[name]

    @admin.action(description=f"{act.label} the selected comments",
                  permissions=["moderate"])  # fmt: skip
    def run(modeladmin, request, queryset):
        done = 0
        for comment in queryset:
            try:
                moderate(comment=comment, action=name, moderator=request.user)
                done += 1
            except AlreadyActed as exc:
                modeladmin.message_user(
                    request, f"{comment.author_name}: {exc.message}", messages.WARNING
                )
        if done:
            modeladmin.message_user(request, f"{act.label}: {done} comment(s).", messages.SUCCESS)

    run.__name__ = f"{name}_comments"
    return run


def _writers(queryset) -> tuple[list[str], list[int]]:
    """The emails of the selected comments' writers, and the comments that have none."""
    emails = sorted({c.author_email.lower() for c in queryset if c.author_email})
    return emails, sorted(c.pk for c in queryset if not c.author_email)


@admin.action(description="Export all we hold about these comments' writers (JSON)",
              permissions=["moderate"])  # fmt: skip
def export_by_email(modeladmin, request, queryset):
    emails, without_email = _writers(queryset)
    data = {email: export_personal_data(email) for email in emails}
    data.update({f"comment {pk}": export_personal_data(comment_ids=[pk]) for pk in without_email})
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="comments-export.json"'
    return response


@admin.action(description="Erase these comments and every other one with their emails",
              permissions=["moderate"])  # fmt: skip
def erase_by_email(modeladmin, request, queryset):
    emails, without_email = _writers(queryset)
    erased = sum(erase_personal_data(email, actor=request.user)["comments"] for email in emails)
    if without_email:
        erased += erase_comments(comment_ids=without_email, actor=request.user)
    modeladmin.message_user(
        request, f"Erased {erased} comment(s): those by {len(emails)} email address(es) and "
        f"{len(without_email)} without one.", messages.SUCCESS,
    )  # fmt: skip


admin.site.unregister(Comment)


@admin.register(Comment)
class ModeratedCommentAdmin(CommentAdmin):
    inlines = [ReportInline, DecisionInline]
    actions = [_action(name) for name in ACTIONS] + [export_by_email, erase_by_email]

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        replace_stored_copies(obj)  # the words corrected away leave the Akismet copy too

    def changelist_view(self, request, extra_context=None):
        if not akismet.is_configured():
            self.message_user(
                request,
                "Akismet is off: no API key is set, so every comment waits for a moderator.",
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context)


@admin.register(ListEntry)
class ListEntryAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "comment", "essay", "step", "outcome", "reason", "actor"]
    list_filter = ["step", "outcome"]
    list_select_related = ["comment", "essay", "actor"]
    search_fields = ["reason"]
    readonly_fields = [
        "comment",
        "essay",
        "step",
        "outcome",
        "reason",
        "actor",
        "details",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ModeratorsOnly:
    """Admin pages for anyone who may moderate comments (the Moderators group)."""

    def _may(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(MODERATE)

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)


class PolicyForm(forms.ModelForm):
    reason = forms.CharField(
        max_length=400,
        required=False,
        help_text="Why: kept with the change, for the other moderators.",
    )

    class Meta:
        model = EssayCommentPolicy
        fields = ["comment_policy", "comment_policy_until"]

    def clean(self):
        data = super().clean()
        if not " ".join(data.get("reason", "").split()):
            self.add_error("reason", "Give a reason: the other moderators will read it.")
        until = data.get("comment_policy_until")
        if until is not None and until <= timezone.now():
            self.add_error("comment_policy_until", "That end date is in the past.")
        return data


@admin.register(EssayCommentPolicy)
class EssayCommentPolicyAdmin(ModeratorsOnly, admin.ModelAdmin):
    form = PolicyForm
    list_display = ["title", "comment_policy", "comment_policy_until", "published_at"]
    list_filter = ["comment_policy"]
    search_fields = ["title"]
    fields = ["title", "comment_policy", "comment_policy_until", "reason", "policy_history"]
    readonly_fields = ["title", "policy_history"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Published (or scheduled) essays only: drafts take no comments, and their titles
        # are the editors' business.
        return super().get_queryset(request).filter(status=Essay.Status.PUBLISHED)

    @admin.display(description="Changes")
    def policy_history(self, obj):
        decisions = obj.moderation_decisions.select_related("actor").order_by("-created_at")[:20]
        return format_html_join(
            "", "<p>{}: {} ({})</p>", ((d.created_at.strftime("%-d %b %Y %H:%M"), d.reason,
                                         d.actor_name) for d in decisions)
        ) or "None yet."  # fmt: skip

    def save_model(self, request, obj, form, change):
        set_policy(
            essay=obj, policy=form.cleaned_data["comment_policy"],
            until=form.cleaned_data["comment_policy_until"],
            reason=form.cleaned_data["reason"], moderator=request.user,
        )  # fmt: skip


@admin.register(Ban)
class BanAdmin(ModeratorsOnly, admin.ModelAdmin):
    list_display = ["kind", "value", "reason", "expires_at", "created_by", "lifted_at"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]
    readonly_fields = ["kind", "value", "reason", "expires_at", "comment", "created_by",
                       "created_at", "lifted_at", "lifted_by"]  # fmt: skip
    actions = ["lift"]

    def has_add_permission(self, request):
        return False  # set from a comment in the queue, where the value is checked

    def has_delete_permission(self, request, obj=None):
        return False  # lifted, never deleted: the record of who did what

    @admin.action(description="Lift the selected bans")
    def lift(self, request, queryset):
        for ban in queryset:
            try:
                lift_ban(ban.pk, moderator=request.user)
            except BanRefused as exc:
                self.message_user(request, exc.message, messages.WARNING)


@admin.register(CommenterNote)
class CommenterNoteAdmin(ModeratorsOnly, admin.ModelAdmin):
    list_display = ["commenter", "body", "author", "created_at"]
    search_fields = ["commenter", "body"]

    def has_add_permission(self, request):
        return False  # added from a queue row or the commenter page

    def has_change_permission(self, request, obj=None):
        return False  # a note says who wrote it: nobody rewrites another's words
