from django.contrib import admin

from refdesk.rewards.models import (
    CatalogueItem,
    Contest,
    EarnRule,
    LedgerEntry,
    Redemption,
    RewardRefusal,
)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is append-only and written by the rewards services."""

    list_display = ("at", "holder", "kind", "points", "balance_after", "reason")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(EarnRule)
admin.site.register(CatalogueItem)
admin.site.register(Contest)


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ("requested_at", "holder", "item", "points", "status")
    list_filter = ("status",)
    readonly_fields = ("holder", "item", "points", "value", "status")


@admin.register(RewardRefusal)
class RewardRefusalAdmin(admin.ModelAdmin):
    list_display = ("at", "code", "reason")
    list_filter = ("code",)
