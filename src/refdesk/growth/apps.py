from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "refdesk.growth"
    label = "growth"
    verbose_name = "Growing the pool"

    def ready(self):
        from refdesk.core.changes import track_deletions
        from refdesk.growth.models import GrowthSettings

        # The settings row is remembered per process until it changes (core.changes.settings_row).
        track_deletions(GrowthSettings)
