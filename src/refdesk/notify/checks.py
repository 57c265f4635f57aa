"""System checks for email configuration."""

import os

from django.conf import settings
from django.core.checks import Error, register

_CONSOLE_LIKE = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


def _require_smtp() -> bool:
    value = getattr(settings, "REFDESK_REQUIRE_SMTP", None)
    if value is None:
        value = os.environ.get("REFDESK_REQUIRE_SMTP", "")
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@register()
def check_email_backend(app_configs, **kwargs):
    """With REFDESK_REQUIRE_SMTP=true and DEBUG off, emails must really leave the building."""
    if settings.DEBUG or not _require_smtp() or settings.EMAIL_BACKEND not in _CONSOLE_LIKE:
        return []
    return [
        Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: emails are printed or kept, never delivered.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST/EMAIL_PORT, "
            "or unset REFDESK_REQUIRE_SMTP.",
            id="refdesk.E010",
        )
    ]
