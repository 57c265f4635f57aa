from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "refdesk.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self):
        from refdesk.core.changes import track_deletions
        from refdesk.matching.models import MatchingSettings

        # The settings row is remembered per process until it changes (core.changes.settings_row).
        track_deletions(MatchingSettings)
