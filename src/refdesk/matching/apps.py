from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "refdesk.matching"
    label = "matching"
    verbose_name = "Matching"
