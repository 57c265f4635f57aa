"""System checks for configuration mistakes."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_time_zone(app_configs, **kwargs):
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        return [
            Error(
                "Refdesk stores times in UTC: set TIME_ZONE='UTC' and USE_TZ=True.",
                id="refdesk.E001",
            )
        ]
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


@register()
def check_production_profile(app_configs, **kwargs):
    """With REFDESK_PRODUCTION=true: the secret from the environment, debug off, an https SITE_URL."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors = []
    if not getattr(settings, "SECRET_KEY_FROM_ENV", False):
        errors.append(
            Error(
                "In the production profile SECRET_KEY must come from the environment, not from a file in ./var/.",
                hint="Set SECRET_KEY to at least 50 random characters, the same on every app server "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))').",
                id="refdesk.E002",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error(
                "REFDESK_DEBUG is on in the production profile: error pages would show settings and data.",
                hint="Unset REFDESK_DEBUG.",
                id="refdesk.E003",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        errors.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL}; links in emails should use https in production.",
                hint="Set SITE_URL=https://your.host.",
                id="refdesk.W002",
            )
        )
    return errors
