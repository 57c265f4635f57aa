"""Headers, cookies, deploy checks, templates without inline script, and the log-in rate limit."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from refdesk.core.checks import check_production_profile
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "refdesk"


def _production_env(**extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "REFDESK_DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="refdesk.settings",
        REFDESK_PRODUCTION="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="refdesk.example.com",
        SITE_URL="https://refdesk.example.com",
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_the_production_profile(tmp_path):
    env = _production_env(REFDESK_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_http_only(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(REFDESK_VAR_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.stdout.split() == ["True"] * 6, result.stderr


def test_it_refuses_a_production_secret_key_read_from_a_file():
    with override_settings(
        PRODUCTION=True, SECRET_KEY_FROM_ENV=False, DEBUG=False, SITE_URL="https://x.example"
    ):
        assert [e.id for e in check_production_profile(None)] == ["refdesk.E002"]
    with override_settings(
        PRODUCTION=True, SECRET_KEY_FROM_ENV=True, DEBUG=False, SITE_URL="https://x.example"
    ):
        assert check_production_profile(None) == []
    with override_settings(PRODUCTION=False, SECRET_KEY_FROM_ENV=False):
        assert check_production_profile(None) == []


def test_debug_in_production_is_an_error():
    with override_settings(
        PRODUCTION=True, SECRET_KEY_FROM_ENV=True, DEBUG=True, SITE_URL="https://x.example"
    ):
        assert [e.id for e in check_production_profile(None)] == ["refdesk.E003"]


@pytest.mark.parametrize("url", ["/login/", "/api/openapi.json", "/healthz", "/api/docs"])
def test_every_response_carries_a_content_security_policy(client, url):
    response = client.get(url)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy


def test_logged_in_pages_carry_it_too(client_for, program_manager):
    response = client_for(program_manager).get(reverse("pool:reference-list"))
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in SRC.rglob("templates/**/*.html"):
        if "/email/" in str(path):
            continue  # emails are not pages
        text = path.read_text()
        import re

        for match in re.finditer(r"<script\b([^>]*)>", text, re.I):
            attrs = match.group(1)
            if "src=" not in attrs and "application/json" not in attrs:
                offenders.append(f"{path}: inline <script>")
        for match in re.finditer(r"\s(on[a-z]+|hx-on(?::[\w:-]+)?)\s*=", text, re.I):
            offenders.append(f"{path}: {match.group(1)}=")
        if "javascript:" in text.lower():
            offenders.append(f"{path}: javascript: URL")
    assert not offenders, "\n".join(offenders)


def _fail(client, email, ip="203.0.113.7"):
    return client.post(
        reverse("people:login"), {"username": email, "password": "wrong"}, REMOTE_ADDR=ip
    )


def test_login_is_refused_for_a_while_after_ten_failures(client, program_manager):
    for _ in range(10):
        assert _fail(client, "priya@vendor.example").status_code == 200
    response = _fail(client, "priya@vendor.example")
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    # Even the right password waits: the attacker may have guessed it.
    right = client.post(
        reverse("people:login"),
        {"username": "priya@vendor.example", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert right.status_code == 429


def test_the_limit_is_per_address_and_email(client, program_manager):
    for _ in range(10):
        _fail(client, "priya@vendor.example")
    other_ip = client.post(
        reverse("people:login"),
        {"username": "priya@vendor.example", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )
    assert other_ip.status_code == 302
    client.logout()
    assert _fail(client, "someone.else@vendor.example").status_code == 200


def test_a_successful_login_forgets_earlier_failures(client, program_manager):
    for _ in range(9):
        _fail(client, "priya@vendor.example")
    ok = client.post(
        reverse("people:login"),
        {"username": "priya@vendor.example", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert ok.status_code == 302
    client.logout()
    for _ in range(9):
        assert _fail(client, "priya@vendor.example").status_code == 200


def test_the_window_passes(client, program_manager, settings):
    settings.REFDESK_LOGIN_WINDOW_SECONDS = 600
    for _ in range(10):
        _fail(client, "priya@vendor.example")
    from datetime import timedelta

    from refdesk.core.models import RateLimitCounter

    RateLimitCounter.objects.update(
        window_start=RateLimitCounter.objects.first().window_start - timedelta(minutes=11)
    )
    assert _fail(client, "priya@vendor.example").status_code == 200


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(rf, settings):
    from refdesk.core.ratelimit import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    settings.REFDESK_TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.2"
    settings.REFDESK_TRUSTED_PROXIES = 1
    assert client_ip(request) == "203.0.113.7"  # the proxy's own view, not the spoofable left part
