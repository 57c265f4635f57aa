from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "refdesk.asks"
    label = "asks"
    verbose_name = "Reference requests"
