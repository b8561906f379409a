"""Comments in the Django admin: listed, filtered and searched; request data read-only."""

from django.contrib import admin, messages
from django.utils.text import Truncator

from comments.models import Comment
from comments.services import correct_comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "author_name", "essay", "status", "created_at"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter), "essay"]
    search_fields = ["author_name", "author_email", "body", "ip_address", "essay__title"]
    list_select_related = ["essay"]
    date_hierarchy = "created_at"
    raw_id_fields = ["essay", "parent"]
    # The status changes only through moderation's actions (which record a Decision and
    # check that nobody acted first), never by editing the field.
    readonly_fields = [
        "essay", "parent", "depth", "status", "created_at", "updated_at", "ip_address",
        "user_agent", "referrer", "permalink",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["essay", "parent", "depth", "status"]}),
        ("Comment", {"fields": ["author_name", "author_email", "author_url", "content_warning",
                                "body"]}),
        ("Request", {"fields": ["ip_address", "user_agent", "referrer", "permalink", "created_at",
                                "updated_at"]}),
    ]  # fmt: skip

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    def has_add_permission(self, request):
        # Comments come from readers, through the form and its checks.
        return False

    def save_model(self, request, obj, form, change):
        # An editor's correction goes through the service that retires the cached threads.
        corrected = correct_comment(
            comment=obj, author_name=obj.author_name, author_email=obj.author_email,
            author_url=obj.author_url, body=obj.body, content_warning=obj.content_warning,
        )  # fmt: skip
        if not corrected:
            self.message_user(request, "This comment no longer exists.", messages.WARNING)
