"""System checks for configuration mistakes."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_time_zone(app_configs, **kwargs):
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        return [Error("Refdesk stores times in UTC: set TIME_ZONE='UTC' and USE_TZ=True.", id="refdesk.E001")]
    return []


@register(deploy=True)
def check_production_secret(app_configs, **kwargs):
    import os

    if not settings.DEBUG and not os.environ.get("SECRET_KEY"):
        return [
            Warning(
                "SECRET_KEY is not set in the environment; a key generated into ./var/ is used.",
                hint="Set SECRET_KEY for production so every app server shares it.",
                id="refdesk.W001",
            )
        ]
    return []
