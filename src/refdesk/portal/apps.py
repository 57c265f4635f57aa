from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "refdesk.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self):
        from refdesk.core.changes import track_deletions
        from refdesk.portal.models import UnavailablePeriod

        # Who is away today is remembered per process until a period changes (selectors).
        track_deletions(UnavailablePeriod)
