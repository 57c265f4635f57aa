from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "refdesk.portal"
    label = "portal"
    verbose_name = "Portal"
