from django.apps import AppConfig


class PoolConfig(AppConfig):
    name = "refdesk.pool"
    label = "pool"
    verbose_name = "Reference pool"
