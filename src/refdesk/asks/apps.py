from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "refdesk.asks"
    label = "asks"
    verbose_name = "Reference requests"

    def ready(self):
        from refdesk.asks.models import SlaPolicy, WorkflowPolicy
        from refdesk.core.changes import track_deletions

        # The policies a new request copies are remembered per process until they change.
        track_deletions(SlaPolicy, WorkflowPolicy)
