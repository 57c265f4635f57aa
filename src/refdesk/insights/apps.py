from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "refdesk.insights"
    label = "insights"
    verbose_name = "Insights"
