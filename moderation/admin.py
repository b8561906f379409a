"""Moderation in the Django admin: the same actions as the queue, and the word lists."""

import json

from django.contrib import admin, messages
from django.http import HttpResponse

from comments.admin import CommentAdmin
from comments.models import Comment
from moderation import akismet
from moderation.models import Decision, ListEntry, Report
from moderation.privacy import (
    erase_comments,
    erase_personal_data,
    export_personal_data,
    replace_stored_copies,
)
from moderation.services import ACTIONS, AlreadyActed, moderate


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
    list_display = ["created_at", "comment", "step", "outcome", "reason", "actor"]
    list_filter = ["step", "outcome"]
    list_select_related = ["comment", "actor"]
    search_fields = ["reason"]
    readonly_fields = ["comment", "step", "outcome", "reason", "actor", "details", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
