from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "refdesk.activities"
    label = "activities"
    verbose_name = "Activities"

    def ready(self):
        from refdesk.activities.models import (
            Activity,
            ContentAsset,
            FatigueRule,
            GroupEvent,
            ReferenceFatigue,
        )
        from refdesk.core.changes import track_deletions

        # Fatigue answers and the matcher's index are cached per version of these tables, and
        # the content a match offers per version of the last two.
        track_deletions(Activity, FatigueRule, ReferenceFatigue, ContentAsset, GroupEvent)
