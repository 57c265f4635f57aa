from django.contrib import admin

from refdesk.insights.models import MonthlySummary, Opportunity, RequestOpportunity


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ("crm_id", "prospect", "stage", "amount", "created_on", "closed_on", "owner")
    list_filter = ("stage",)
    search_fields = ("crm_id", "prospect", "name")
    raw_id_fields = ("owner",)


@admin.register(RequestOpportunity)
class RequestOpportunityAdmin(admin.ModelAdmin):
    list_display = ("request", "opportunity", "linked_at")
    raw_id_fields = ("request", "opportunity")


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(admin.ModelAdmin):
    list_display = ("month", "created_at", "recipients")
