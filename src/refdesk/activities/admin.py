from django.contrib import admin

from refdesk.activities import models


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "reference", "activity_type", "status", "source", "request")
    list_filter = ("activity_type", "status", "source")
    raw_id_fields = ("reference", "request", "candidate", "event", "entered_by")
    date_hierarchy = "occurred_at"


@admin.register(models.FatigueRule)
class FatigueRuleAdmin(admin.ModelAdmin):
    list_display = (
        "activity_type",
        "short_cap",
        "short_window_days",
        "long_cap",
        "long_window_days",
        "cooldown_days",
    )


@admin.register(models.ReferenceFatigue)
class ReferenceFatigueAdmin(admin.ModelAdmin):
    list_display = ("reference", "monthly_limit", "short_cap", "long_cap", "cooldown_days")
    raw_id_fields = ("reference", "updated_by")


@admin.register(models.ContentAsset)
class ContentAssetAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "account", "expires_on", "approved_on", "retired_at")
    list_filter = ("kind",)
    search_fields = ("title", "search_text")
    raw_id_fields = ("account", "contact", "industry", "event", "created_by")


@admin.register(models.GroupEvent)
class GroupEventAdmin(admin.ModelAdmin):
    list_display = ("title", "format", "status", "starts_at")
    raw_id_fields = ("references", "industry", "created_by")


@admin.register(models.ContentShare)
class ContentShareAdmin(admin.ModelAdmin):
    list_display = (
        "prospect",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "first_opened_at",
    )
    raw_id_fields = ("created_by", "request", "assets")
    exclude = ("token",)
