"""Moderators see who is subscribed to what (never readers); nothing here sends mail."""

from django.contrib import admin, messages
from django.utils import timezone

from subscriptions.models import Address, Email, Subscription


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    fields = ["kind", "comment", "essay", "created_at", "confirmed_at", "ended_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="Turn off all mail to these addresses", permissions=["change"])
def turn_off(modeladmin, request, queryset):
    count = queryset.filter(disabled_at=None).update(
        disabled_at=timezone.now(), disabled_reason=Address.Disabled.OPERATOR
    )
    modeladmin.message_user(request, f"Turned off {count} address(es).", messages.SUCCESS)


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "confirmed_at", "disabled_reason"]
    list_filter = ["disabled_reason", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email"]
    fields = ["email", "created_at", "confirmed_at", "disabled_at", "disabled_reason",
              "last_digest_at"]  # fmt: skip
    readonly_fields = ["email", "created_at", "confirmed_at", "last_digest_at"]
    inlines = [SubscriptionInline]
    actions = [turn_off]

    def has_add_permission(self, request):
        return False  # addresses ask for themselves, by confirming a link


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "essay", "comment", "created_at", "confirmed_at",
                    "ended_at"]  # fmt: skip
    list_filter = ["kind", ("confirmed_at", admin.EmptyFieldListFilter),
                   ("ended_at", admin.EmptyFieldListFilter)]  # fmt: skip
    search_fields = ["address__email"]
    list_select_related = ["address", "essay", "comment"]
    raw_id_fields = ["comment", "essay"]
    readonly_fields = ["address", "kind", "comment", "essay", "created_at", "confirmed_at"]
    fields = [*readonly_fields, "ended_at", "excluded_warnings"]

    def has_add_permission(self, request):
        return False


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["address", "kind", "state", "created_at", "sent_at", "attempts",
                    "last_error"]  # fmt: skip
    list_filter = ["kind", "state"]
    search_fields = ["address__email"]
    list_select_related = ["address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
