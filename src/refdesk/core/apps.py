from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "refdesk.core"
    label = "core"

    def ready(self):
        from refdesk.core import changes, checks  # noqa: F401  (checks registers system checks)

        changes.watch_requests()
