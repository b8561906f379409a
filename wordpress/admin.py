"""The import's records in the admin: editors extend the synonyms and look up old ids."""

from django.contrib import admin

from wordpress.models import ImportedObject, WarningSynonym


@admin.register(WarningSynonym)
class WarningSynonymAdmin(admin.ModelAdmin):
    list_display = ["phrase", "warning"]
    search_fields = ["phrase", "warning__name"]
    autocomplete_fields = ["warning"]


@admin.register(ImportedObject)
class ImportedObjectAdmin(admin.ModelAdmin):
    list_display = ["kind", "wordpress_id", "object_id", "old_link", "site_url", "imported_at"]
    list_filter = ["kind", "site_url"]
    search_fields = ["wordpress_id", "old_link"]
    readonly_fields = [f.name for f in ImportedObject._meta.fields]

    def has_add_permission(self, request):
        return False
