"""Every page and every API operation × every role: allowed or refused as designed.

The doors are found, not listed by hand: every named URL pattern from the URL configuration and
every operation in the OpenAPI document. ACCESS below says who each one is for; a door missing
from it fails `test_every_door_is_classified`, so a new endpoint cannot be forgotten.

What "refused" accepts: 403; 404 (the object is hidden from this person); 405; for anonymous
callers a redirect to the log-in page (pages) or 401 (API); the admin's redirect to its log-in;
or the same 4xx the program manager got for the same call (the input is bad for everyone, so
nothing about the data is revealed). A 5xx is a failure for everyone.
"""

import re

import pytest
from django.test import Client

from tests.security.access_growth import GROWTH_ACCESS
from tests.security.access_insights import INSIGHTS_ACCESS
from tests.security.access_portal import PORTAL_ACCESS
from tests.security.roles import (  # noqa: F401
    ADMIN,
    ANY,
    NOT_EXEC,
    ON_REQUEST,
    OWNER,
    PM,
    PM_AND_REQUESTER,
    PUBLIC,
    SALES,
)
from tests.security.world import PERSONAS, api_doors, build_world, call, page_doors

pytestmark = pytest.mark.django_db

ACCESS = {
    "activities:activity-cancel": {"GET": ANY, "POST": PM},
    "activities:activity-create": NOT_EXEC,
    "activities:activity-import": PM,
    "activities:content-create": PM,
    "activities:content-detail": ANY,
    "activities:content-file": ANY,
    "activities:content-list": ANY,
    "activities:content-retire": ANY,
    "activities:event-create": PM,
    "activities:event-detail": ANY,
    "activities:event-list": ANY,
    "activities:fatigue": ANY,
    "activities:fatigue-rule-edit": PM,
    "activities:home": ANY,
    "activities:reference-limits": {"GET": ANY, "POST": PM},
    "activities:share-create": NOT_EXEC,
    "activities:share-detail": ANY,
    "activities:share-file": PUBLIC,
    "activities:share-list": NOT_EXEC,
    "activities:share-open": PUBLIC,
    "activities:share-revoke": ANY,
    "asks:approval-list": ANY,
    "asks:candidate-action": {"GET": ANY, "POST": OWNER},
    "asks:hold-release": {"GET": ANY, "POST": PM},
    "asks:owner-policy": ANY,
    "asks:request-action": ANY,
    "asks:request-create": NOT_EXEC,
    "asks:request-detail": ON_REQUEST,
    "asks:request-list": ANY,
    "asks:respond": PUBLIC,
    "asks:settings": PM,
    "asks:triage": PM,
    "healthz": PUBLIC,
    "home": PUBLIC,
    "matching:find": ANY,
    "matching:settings": PM,
    "notify:email-detail": PM,
    "notify:email-list": PM,
    "notify:email-retry": {"GET": ANY, "POST": PM},
    "notify:webhook-detail": PM,
    "notify:webhook-list": PM,
    "notify:webhook-ping": {"GET": ANY, "POST": PM},
    "notify:webhook-toggle": {"GET": ANY, "POST": PM},
    "people:audit-list": PM,
    "people:login": PUBLIC,
    "people:logout": PUBLIC,
    "people:token-list": ANY,
    "people:token-revoke": ANY,
    "pool:account-create": PM,
    "pool:account-detail": ANY,
    "pool:account-edit": OWNER,
    "pool:account-list": ANY,
    "pool:contact-create": OWNER,
    "pool:contact-edit": OWNER,
    "pool:export": PM,
    "pool:import": PM,
    "pool:import-confirm": {"GET": ANY, "POST": PM},
    "pool:industry-suggest": ANY,
    "pool:person-erase": PM,
    "pool:person-export": PM,
    "pool:reference-create": PM,
    "pool:reference-detail": ANY,
    "pool:reference-edit": OWNER,
    "pool:reference-list": ANY,
    "pool:reference-status": ANY,
    "rewards:catalogue": PM,
    "rewards:contest-detail": ANY,
    "rewards:contest-list": {"GET": ANY, "POST": PM},
    "rewards:home": ANY,
    "rewards:item-edit": PM,
    "rewards:leaderboard": ANY,
    "rewards:redeem": ANY,
    "rewards:redemption-action": {"GET": ANY, "POST": PM},
    "rewards:redemption-list": ANY,
    "rewards:reference-points": PM,
    "rewards:refusal-list": PM,
    "rewards:rules": PM,
    "rewards:template-list": PM,
    "rewards:thank-you-done": ANY,
    "rewards:thank-you-list": ANY,
    "GET /api/accounts": ANY,
    "GET /api/accounts/{account_id}": ANY,
    "GET /api/activities": ANY,
    "GET /api/audit": PM,
    "GET /api/contacts": ANY,
    "GET /api/contacts/{contact_id}": ANY,
    "GET /api/content": ANY,
    "GET /api/content-shares": NOT_EXEC,
    "GET /api/content-shares/{share_id}": ANY,
    "GET /api/content/{asset_id}": ANY,
    "GET /api/docs": PUBLIC,
    "GET /api/events": ANY,
    "GET /api/events/{event_id}": ANY,
    "GET /api/exports/references.csv": PM,
    "GET /api/exports/references.xlsx": PM,
    "GET /api/fatigue": ANY,
    "GET /api/fatigue/rules": ANY,
    "GET /api/industries": ANY,
    "GET /api/industries/{code}": ANY,
    "GET /api/matching/settings": ANY,
    "GET /api/me/approval-policy": ANY,
    "GET /api/openapi.json": PUBLIC,
    "GET /api/references": ANY,
    "GET /api/references/{reference_id}": ANY,
    "GET /api/request-sla": ANY,
    "GET /api/request-workflows": ANY,
    "GET /api/requests": ANY,
    "GET /api/requests/{request_id}": ON_REQUEST,
    "GET /api/respond/{token}": PUBLIC,
    "GET /api/rewards/catalogue": ANY,
    "GET /api/rewards/contests": ANY,
    "GET /api/rewards/contests/{contest_id}": ANY,
    "GET /api/rewards/holders/{holder_id}": ANY,
    "GET /api/rewards/leaderboard": ANY,
    "GET /api/rewards/me": ANY,
    "GET /api/rewards/redemptions": ANY,
    "GET /api/rewards/references/{reference_id}": PM,
    "GET /api/rewards/refusals": PM,
    "GET /api/rewards/rules": ANY,
    "GET /api/rewards/settings": PM,
    "GET /api/rewards/thank-you-templates": ANY,
    "GET /api/rewards/thank-yous": ANY,
    "GET /api/webhooks": PM,
    "GET /api/webhooks/{endpoint_id}": PM,
    "GET /api/webhooks/{endpoint_id}/deliveries": PM,
    "PATCH /api/accounts/{account_id}": OWNER,
    "PATCH /api/contacts/{contact_id}": OWNER,
    "PATCH /api/references/{reference_id}": OWNER,
    "PATCH /api/rewards/catalogue/{item_id}": PM,
    "PATCH /api/rewards/settings": PM,
    "PATCH /api/webhooks/{endpoint_id}": PM,
    "POST /api/accounts": PM,
    "POST /api/activities": NOT_EXEC,
    "POST /api/activities/import": ANY,
    "POST /api/contacts": OWNER,
    "POST /api/content": PM,
    "POST /api/content-shares": NOT_EXEC,
    "POST /api/content-shares/{share_id}/revoke": ANY,
    "POST /api/content/{asset_id}/uses": ANY,
    "POST /api/events": PM,
    "POST /api/events/{event_id}/invites": ANY,
    "POST /api/events/{event_id}/invites/{invite_id}/attendance": ANY,
    "POST /api/events/{event_id}/recording": ANY,
    "POST /api/imports": ANY,
    "POST /api/match": ANY,
    "POST /api/references": PM,
    "POST /api/references/{reference_id}/status": PM,
    "POST /api/requests": NOT_EXEC,
    "POST /api/requests/{request_id}/cancel": PM,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/approve": OWNER,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/cancel-call": PM_AND_REQUESTER,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/complete": PM_AND_REQUESTER,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/decline": OWNER,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/feedback": PM_AND_REQUESTER,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/missed": PM_AND_REQUESTER,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/remove": PM,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/schedule": PM_AND_REQUESTER,
    "POST /api/requests/{request_id}/candidates/{candidate_id}/select": PM,
    "POST /api/requests/{request_id}/close": PM_AND_REQUESTER,
    "POST /api/requests/{request_id}/propose": PM,
    "POST /api/requests/{request_id}/withdraw": {"requester"},
    "POST /api/respond/{token}": PUBLIC,
    "POST /api/rewards/activities/{activity_id}/credit": PM,
    "POST /api/rewards/adjustments": PM,
    "POST /api/rewards/catalogue": PM,
    "POST /api/rewards/contests": PM,
    "POST /api/rewards/redemptions": ANY,
    "POST /api/rewards/redemptions/{redemption_id}/approve": PM,
    "POST /api/rewards/redemptions/{redemption_id}/fulfil": PM,
    "POST /api/rewards/redemptions/{redemption_id}/refuse": PM,
    "POST /api/rewards/sweep": PM,
    "POST /api/rewards/thank-you-templates": PM,
    "POST /api/rewards/thank-yous/{task_id}/done": ANY,
    "POST /api/webhooks": PM,
    "POST /api/webhooks/{endpoint_id}/ping": PM,
    "PUT /api/fatigue/rules/{activity_type}": PM,
    "PUT /api/matching/settings": PM,
    "PUT /api/me/approval-policy": ANY,
    "PUT /api/references/{reference_id}/fatigue": PM,
    "PUT /api/request-sla": PM,
    "PUT /api/request-workflows": PM,
    "PUT /api/rewards/rules/{key}": PM,
    "PUT /api/rewards/thank-you-templates/{template_id}": PM,
}
# Each later app keeps its own table, so the people working on them do not edit one file.
ACCESS.update(GROWTH_ACCESS)
ACCESS.update(INSIGHTS_ACCESS)
ACCESS.update(PORTAL_ACCESS)


def _expected(door, method):
    if door.key in ("admin:login", "admin:logout"):
        return PUBLIC
    if door.route.startswith("admin/"):
        return ADMIN
    value = ACCESS[door.key]
    if isinstance(value, dict):
        return value[method]
    return value


def _methods(door):
    # The admin is Django's own; GET of every admin page is enough to catch a broken ModelAdmin.
    return ("GET",) if door.route.startswith("admin/") else door.methods


def _is_login_redirect(outcome) -> bool:
    return outcome.status == 302 and ("/login/" in outcome.location)


def test_every_door_is_classified():
    doors = [d for d in page_doors() + api_doors() if not d.route.startswith("admin/")]
    missing = sorted(d.key for d in doors if d.key not in ACCESS)
    assert not missing, "Classify these in ACCESS (who may use them):\n  " + "\n  ".join(missing)
    stale = sorted(set(ACCESS) - {d.key for d in doors})
    assert not stale, "These are in ACCESS but no longer exist:\n  " + "\n  ".join(stale)


@pytest.fixture
def world(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return build_world()


def _run(world, persona):
    """Call every door as `persona`; return {(door, method): outcome} and the doors."""
    user = world.users.get(persona)
    pages, api = Client(), Client()
    if user:
        pages.force_login(user)
    results = {}
    doors = page_doors() + api_doors()
    for door in doors:
        if not door.route.startswith("admin/") and door.key not in ACCESS:
            continue  # reported by test_every_door_is_classified
        for method in _methods(door):
            if door.kind == "page":
                outcome = call(pages, door, method)
                if user and not (
                    pages.cookies.get("sessionid") and pages.cookies["sessionid"].value
                ):
                    pages.force_login(user)  # the log-out page logged us out
            else:
                outcome = call(api, door, method, token=world.tokens.get(persona))
            results[(door.key, method)] = (door, outcome)
    return results


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "program_manager"])
def test_each_role_gets_what_it_is_designed_to(world, persona):
    pm_results = _run(world, "program_manager")
    results = _run(world, persona)
    problems = []
    for (key, method), (door, outcome) in sorted(results.items()):
        expected = _expected(door, method)
        pm_status = pm_results[(key, method)][1].status
        if outcome.status >= 500:
            problems.append(f"{method} {door.path()} ({key}): {outcome.status} {outcome.error}")
            continue
        if expected == PUBLIC:
            # Logging out ends on the log-in page, by design.
            if outcome.status in (401, 403) or (
                _is_login_redirect(outcome) and key != "people:logout"
            ):
                problems.append(
                    f"{method} {door.path()} ({key}) is public but answered {outcome.status}"
                )
            continue
        allowed = persona != "anonymous" and persona in expected
        refused_ok = (
            outcome.status in (403, 404, 405)
            or (persona == "anonymous" and (outcome.status == 401 or _is_login_redirect(outcome)))
            or (outcome.status == 302 and outcome.location.startswith("/admin/login/"))
            or (outcome.status == pm_status and 400 <= pm_status < 500)
        )
        if allowed and (outcome.status in (401, 403) or _is_login_redirect(outcome)):
            problems.append(
                f"{method} {door.path()} ({key}) should be allowed for {persona}, answered {outcome.status}"
            )
        elif not allowed and not refused_ok:
            problems.append(
                f"{method} {door.path()} ({key}) should be refused to {persona}, answered {outcome.status}"
            )
    assert not problems, f"{len(problems)} doors misbehave for {persona}:\n  " + "\n  ".join(
        problems
    )


def test_the_program_manager_reaches_everything_without_a_server_error(world):
    results = _run(world, "program_manager")
    errors = [
        f"{m} {d.path()} ({k}): {o.status} {o.error}"
        for (k, m), (d, o) in results.items()
        if o.status >= 500
    ]
    refused = [
        f"{m} {d.path()} ({k}): {o.status}"
        for (k, m), (d, o) in results.items()
        if (o.status in (401, 403) or _is_login_redirect(o))
        and _expected(d, m) != PUBLIC
        and "program_manager" in _expected(d, m)
        # Read-only ModelAdmins (audit log, ledger, taxonomy, task results) refuse add/delete to all.
        and not (d.route.startswith("admin/") and o.status == 403)
    ]
    assert not errors, "\n".join(errors)
    assert not refused, "Refused to the program manager:\n" + "\n".join(refused)
    # The matrix must exercise real permission checks, not only 404s for missing objects.
    assert sum(1 for (_, _), (_, o) in results.items() if o.status == 200) > 80


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def test_every_post_form_on_every_page_carries_a_csrf_token(world):
    client = Client()
    client.force_login(world.users["program_manager"])
    missing, pages_seen = [], 0
    for door in page_doors():
        if door.route.startswith("admin/") or door.key in ("people:logout",):
            continue
        response = client.get(door.path())
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages_seen += 1
        for attrs, body in FORM.findall(response.content.decode()):
            if (
                re.search(r"method\s*=\s*[\"']?post", attrs, re.I)
                and "csrfmiddlewaretoken" not in body
            ):
                missing.append(f"{door.key} ({door.path()}): <form{attrs}>")
    assert pages_seen > 30
    assert not missing, "POST forms without {% csrf_token %}:\n" + "\n".join(missing)


HREF = re.compile(r"<a\b[^>]*\bhref=\"(/[^\"#]*)\"", re.I)


@pytest.mark.parametrize("persona", ["owner_rep", "other_rep", "requester", "executive"])
def test_no_page_offers_a_link_its_reader_would_be_refused(world, persona):
    """Every page each role can open, and every link on it: a button or tab a role may not follow
    is a dead end (the executive's "Nominate a reference", the "Shares" tab), so none may answer 403."""
    from html import unescape

    client = Client()
    client.force_login(world.users[persona])
    links: dict[str, str] = {}
    for door in page_doors():
        if door.route.startswith("admin/") or door.key == "people:logout":
            continue
        response = client.get(door.path())
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in HREF.findall(response.content.decode()):
            links.setdefault(unescape(href), door.path())
    dead = []
    for href, on_page in sorted(links.items()):
        if href.startswith(("/admin/", "/logout", "/static/", "/api/")):
            continue
        status = client.get(href).status_code
        if status == 403:
            dead.append(f"{href} (linked from {on_page})")
    assert len(links) > 20
    assert not dead, f"Links {persona} is shown but refused:\n  " + "\n  ".join(dead)


@pytest.mark.parametrize("persona", ["other_rep", "requester", "executive"])
def test_no_door_shows_a_contacts_email_or_phone_to_a_role_that_may_not_see_them(world, persona):
    """Every page and API read, as a role with no grant for Dana: her email and phone appear
    nowhere, including where another record copied them (a referral lead she made)."""
    from refdesk.referrals import services as referrals

    referrals.lead_create(actor=world.users["owner_rep"], company="Big Sky Ranch", source="customer",
                          referrer_contact_id=world.contact.pk)  # fmt: skip
    client = Client()
    client.force_login(world.users[persona])
    secrets = (world.contact.email, world.contact.phone)
    shown, read = [], 0
    for door in page_doors() + api_doors():
        if door.route.startswith("admin/") or door.key == "people:logout" or "GET" not in _methods(door):
            continue
        headers = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[persona]}"} if door.kind == "api" else {}
        response = client.get(door.path(), **headers)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        read += 1
        body = response.content.decode(errors="replace")
        shown += [f"{door.key} ({door.path()}) shows {s}" for s in secrets if s in body]
    assert read > 40
    assert not shown, "\n".join(shown)
