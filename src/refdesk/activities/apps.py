from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "refdesk.activities"
    label = "activities"
    verbose_name = "Activities"
