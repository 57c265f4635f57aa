from django.apps import AppConfig


class GrowthConfig(AppConfig):
    name = "refdesk.growth"
    label = "growth"
    verbose_name = "Growing the pool"
