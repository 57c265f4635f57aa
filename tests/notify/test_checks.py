from refdesk.notify.checks import check_email_backend


def test_it_flags_the_console_backend_when_smtp_is_required_and_debug_is_off(settings):
    settings.DEBUG = False
    settings.REFDESK_REQUIRE_SMTP = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    [error] = check_email_backend(None)

    assert error.id == "refdesk.E010"


def test_it_accepts_smtp_or_debug_or_no_requirement(settings):
    settings.DEBUG, settings.REFDESK_REQUIRE_SMTP = False, True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert check_email_backend(None) == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.DEBUG = True
    assert check_email_backend(None) == []

    settings.DEBUG, settings.REFDESK_REQUIRE_SMTP = False, False
    assert check_email_backend(None) == []
