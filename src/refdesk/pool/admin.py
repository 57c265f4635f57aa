from django.contrib import admin

from refdesk.pool.models import (
    Account,
    Contact,
    ContactAccessGrant,
    NaicsIndustry,
    Product,
    ReferenceProfile,
    ReferenceStatusChange,
)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "country", "employees", "owner", "matching_blocked"]
    list_filter = ["country", "gift_policy", "matching_blocked"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["industry", "owner"]
    filter_horizontal = ["products"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "account", "title"]
    search_fields = ["name", "email", "account__name"]
    raw_id_fields = ["account"]


class StatusChangeInline(admin.TabularInline):
    model = ReferenceStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "changed_at", "changed_by", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReferenceProfile)
class ReferenceProfileAdmin(admin.ModelAdmin):
    """Status is read-only here: it changes only through the status step, which records history."""

    list_display = ["contact", "status", "nps", "opted_out", "updated_at"]
    list_filter = ["status", "opted_out"]
    search_fields = ["contact__name", "contact__email", "contact__account__name"]
    raw_id_fields = ["contact", "status_changed_by"]
    readonly_fields = ["status", "status_changed_at", "status_changed_by"]
    inlines = [StatusChangeInline]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(NaicsIndustry)
class NaicsIndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "level"]
    search_fields = ["code", "title"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContactAccessGrant)
class ContactAccessGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "contact", "reason", "granted_at", "revoked_at"]
    raw_id_fields = ["user", "contact", "granted_by"]
