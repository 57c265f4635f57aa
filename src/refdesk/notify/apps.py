from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "refdesk.notify"
    label = "notify"
    verbose_name = "Notifications, background tasks and webhooks"

    def ready(self):
        from refdesk.notify import checks  # noqa: F401  (registers system checks)
