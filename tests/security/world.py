"""A small world with one of each object, the personas who act in it, and a way to call every door.

Used by the permission matrix and the CSRF check: every URL pattern and every API operation is
called with ids from this world, each call rolled back so one persona's POST never changes what
the next one sees.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from refdesk.people.choices import Role
from tests.factories import AccountFactory, ContactFactory, ReferenceFactory, UserFactory

PERSONAS = ["anonymous", "program_manager", "owner_rep", "other_rep", "requester", "executive"]


def build_world():
    """Priya (PM), Olivia (owns the account), Sam (owns nothing), Rita (requester), Erin (executive)."""
    from refdesk.asks.models import ReferenceRequest, RequestCandidate
    from refdesk.people.services import api_token_create

    users = {
        "program_manager": UserFactory(
            email="priya@vendor.example", role=Role.PROGRAM_MANAGER, is_staff=True
        ),
        "owner_rep": UserFactory(email="olivia@vendor.example", role=Role.SALES_REP),
        "other_rep": UserFactory(email="sam@vendor.example", role=Role.SALES_REP),
        "requester": UserFactory(email="rita@vendor.example", role=Role.REQUESTER),
        "executive": UserFactory(email="erin@vendor.example", role=Role.EXECUTIVE),
    }
    tokens = {name: api_token_create(user=user, name="matrix")[1] for name, user in users.items()}
    account = AccountFactory(name="Prairie Cattle Co", owner=users["owner_rep"])
    contact = ContactFactory(
        account=account, name="Dana Diaz", email="dana@prairie.example", phone="+1 555 0199"
    )
    reference = ReferenceFactory(contact=contact)
    now = timezone.now()
    request = ReferenceRequest.objects.create(
        requester=users["requester"],
        prospect="Acme Bank",
        activity_type="reference_call",
        needed_by=(now + dt.timedelta(days=10)).date(),
        submitted_at=now,
        status="in_progress",
        workflow={
            "fulfilment": "program_manager",
            "owner_approval": True,
            "sla": {"due_soon_hours": 72},
        },
        candidates_due_at=now,
        acceptance_due_at=now + dt.timedelta(hours=24),
    )
    candidate = RequestCandidate.objects.create(
        request=request, reference=reference, status="invited", invited_at=now
    )
    activity_model = apps.get_model("activities.Activity")
    activity = activity_model.objects.create(
        reference=reference,
        activity_type="reference_call",
        status="completed",
        occurred_at=now - dt.timedelta(days=2),
    )
    return SimpleNamespace(
        users=users,
        tokens=tokens,
        account=account,
        contact=contact,
        reference=reference,
        request=request,
        candidate=candidate,
        activity=activity,
    )


# Path parameters → the model whose first row to use (else 1), or a fixed value.
PARAM_MODELS = {
    "account_id": "pool.Account",
    "contact_id": "pool.Contact",
    "reference_id": "pool.ReferenceProfile",
    "request_id": "asks.ReferenceRequest",
    "candidate_id": "asks.RequestCandidate",
    "hold_id": "asks.MatchingHold",
    "endpoint_id": "notify.WebhookEndpoint",
    "email_id": "notify.OutboundEmail",
    "activity_id": "activities.Activity",
    "asset_id": "activities.ContentAsset",
    "share_id": "activities.ContentShare",
    "event_id": "activities.GroupEvent",
    "invite_id": "activities.EventInvite",
    "holder_id": "rewards.PointsHolder",
    "item_id": "rewards.CatalogueItem",
    "redemption_id": "rewards.Redemption",
    "task_id": "rewards.ThankYouTask",
    "template_id": "rewards.ThankYouTemplate",
    "contest_id": "rewards.Contest",
    "token_id": "people.ApiToken",
    "erasure_id": "portal.ErasureRequest",
    "period_id": "portal.UnavailablePeriod",
    "lead_id": "referrals.ReferralLead",
}
PARAM_VALUES = {
    "code": "112111",
    "activity_type": "reference_call",
    "token": "not-a-valid-token",
    "key": "case_study",
    "action": "approve",
    "object_id": "1",
    "app_label": "pool",
    "figure": "turnaround",
    "fmt": "csv",
}


def param_value(name: str) -> str:
    if name in PARAM_VALUES:
        return PARAM_VALUES[name]
    label = PARAM_MODELS.get(name)
    if label:
        try:
            model = apps.get_model(label)
        except LookupError:
            return "1"
        pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
        return str(pk or 1)
    return "1"


@dataclass
class Door:
    """One thing to call: a named page pattern or an API operation."""

    key: str  # URL name ("pool:reference-detail") or "GET /api/references/{reference_id}"
    kind: str  # "page" or "api"
    route: str  # the path with placeholders
    params: list[str] = field(default_factory=list)
    methods: tuple[str, ...] = ("GET", "POST")
    body_schema: dict | None = None

    def path(self) -> str:
        path = self.route
        for name in self.params:
            pattern = r"<(?:\w+:)?" + name + r">|\{" + name + r"\}"
            path = re.sub(pattern, param_value(name), path)
        return "/" + path.lstrip("/")


def page_doors() -> list[Door]:
    """Every named URL pattern outside the API (the API is walked through its OpenAPI document)."""
    doors: dict[str, Door] = {}

    def walk(resolver, prefix: str, namespace: str | None):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                if pattern.namespace and namespace:
                    ns = f"{namespace}:{pattern.namespace}"
                walk(pattern, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("api/") or route.startswith("^"):
                    continue
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                if name is None:
                    name = "unnamed:" + route
                params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
                params = [a or b for a, b in params]
                if "(?P<" in route:
                    continue  # admin catch-alls: reached through the named admin pages
                doors.setdefault(name, Door(key=name, kind="page", route=route, params=params))

    walk(get_resolver(), "", None)
    return sorted(doors.values(), key=lambda d: d.key)


def api_doors() -> list[Door]:
    """Every operation in the OpenAPI document, as "METHOD /api/path"."""
    from refdesk.api import api

    schema = api.get_openapi_schema()
    doors = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = re.findall(r"\{(\w+)\}", path)
            body = (
                (operation.get("requestBody") or {})
                .get("content", {})
                .get("application/json", {})
                .get("schema")
            )
            doors.append(
                Door(
                    key=f"{method.upper()} {path}",
                    kind="api",
                    route=path,
                    params=params,
                    methods=(method.upper(),),
                    body_schema=_resolve(body, schema) if body else None,
                )
            )
    # The document itself and its viewer are pages of the API, not operations in it.
    doors += [
        Door(key="GET /api/openapi.json", kind="api", route="/api/openapi.json", methods=("GET",)),
        Door(key="GET /api/docs", kind="api", route="/api/docs", methods=("GET",)),
    ]
    return sorted(doors, key=lambda d: d.key)


def _resolve(node, schema, depth=0):
    if depth > 8 or not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = schema
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _resolve(target, schema, depth + 1)
    return {
        k: (
            [_resolve(i, schema, depth + 1) for i in v]
            if isinstance(v, list)
            else _resolve(v, schema, depth + 1)
        )
        for k, v in node.items()
    }


def example(node):
    """A small value that satisfies the schema's required fields, so permission checks are reached."""
    if not isinstance(node, dict):
        return None
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            options = [o for o in node[key] if o.get("type") != "null"] or node[key]
            return example(options[0])
    if "enum" in node:
        return node["enum"][0]
    if "default" in node:
        return node["default"]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        return {name: example(props.get(name, {})) for name in node.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "string":
        fmt = node.get("format")
        if fmt == "date":
            return (timezone.now() + dt.timedelta(days=30)).date().isoformat()
        if fmt == "date-time":
            return (timezone.now() + dt.timedelta(days=30)).replace(microsecond=0).isoformat()
        if fmt == "email":
            return "someone@example.com"
        return "x" * max(1, node.get("minLength", 1))
    return None


@dataclass
class Outcome:
    status: int
    location: str = ""
    error: str = ""


def call(client, door: Door, method: str, *, token: str | None = None) -> Outcome:
    """Call one door once, inside a savepoint that is rolled back."""
    path = door.path()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    kwargs = {}
    if method in {"POST", "PUT", "PATCH"} and door.kind == "api":
        kwargs = {
            "data": example(door.body_schema) if door.body_schema else {},
            "content_type": "application/json",
        }
    try:
        with transaction.atomic():
            response = getattr(client, method.lower())(path, **kwargs, **headers)
            transaction.set_rollback(True)
    except Exception as exc:  # a view that raises is a 500
        return Outcome(500, error=f"{type(exc).__name__}: {exc}"[:300])
    return Outcome(response.status_code, location=response.get("Location", ""))
