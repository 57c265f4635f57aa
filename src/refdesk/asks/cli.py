"""`refdesk request …` (reference requests): thin wrappers over the request services and selectors."""

import json
import sys


def register(sub) -> None:
    p = sub.add_parser("request", help="file, list and show reference requests; expire overdue ones")
    rsub = p.add_subparsers(dest="request_command", metavar="ACTION", required=True)

    c = rsub.add_parser("create", help="file a request (candidates are proposed at once)")
    c.add_argument("--requester", required=True, help="the requester's email (an existing user)")
    c.add_argument("--prospect", required=True, help="the prospect company")
    c.add_argument("--industry", required=True, help="a NAICS code or words, e.g. 'cattle ranch'")
    c.add_argument("--activity", default="reference_call", help="activity type (default reference_call)")
    c.add_argument("--country", default="", help="the prospect's country")
    c.add_argument("--employees", default="", help="the prospect's size in employees")
    c.add_argument("--product", action="append", default=[], help="a product the prospect wants (repeatable)")
    c.add_argument("--competitor", default="", help="the rival vendor in the deal")
    c.add_argument("--amount", default="", help="the opportunity amount")
    c.add_argument("--opportunity", default="", help="the CRM id of the open opportunity the request is for")
    c.add_argument("--needed-by", default="", dest="needed_by", help="YYYY-MM-DD")
    c.add_argument("--references", default="1", help="how many references (1-5)")
    c.add_argument("--topics", default="", help="use cases the prospect cares about")
    c.add_argument("--notes", default="")
    c.add_argument("--json", action="store_true", help="print JSON")
    c.set_defaults(func=request_create)

    ls = rsub.add_parser("list", help="list requests, newest first")
    ls.add_argument("--status", default="", help="a status, or 'open'")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=request_list)

    s = rsub.add_parser("show", help="one request with its candidates and timeline")
    s.add_argument("id", help="the request id")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=request_show)

    e = rsub.add_parser("expire-overdue", help="expire open requests whose needed-by date has passed (idempotent)")
    e.add_argument("--json", action="store_true", help="print JSON")
    e.set_defaults(func=request_expire)


def _dump(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def _detail(request_id: int) -> dict:
    from refdesk.asks import presenters, selectors

    request = selectors.request_get_any(request_id)
    opportunity = presenters.opportunity_out(request_id)
    return presenters.detail_out(request.requester, request) | {"allowed_actions": [], "opportunity": opportunity}


def request_create(args) -> int:
    from refdesk.asks.services import request_submit
    from refdesk.cli import ensure_migrated
    from refdesk.core.errors import NotFound
    from refdesk.people.models import User

    ensure_migrated()
    requester = User.objects.filter(email__iexact=args.requester.strip()).first()
    if requester is None:
        raise NotFound(f"No user with email {args.requester}.")
    request = request_submit(
        actor=None, requester=requester, prospect=args.prospect, industry=args.industry, activity_type=args.activity,
        country=args.country, employees=args.employees, products=args.product, competitor=args.competitor,
        amount=args.amount, needed_by=args.needed_by, references_needed=args.references, topics=args.topics,
        notes=args.notes, opportunity_crm_id=args.opportunity,
    )  # fmt: skip
    detail = _detail(request.pk)
    if args.json:
        _dump(detail)
        return 0
    print(f"Request #{request.pk} for {request.prospect}: {request.get_status_display().lower()}, "
          f"{len(detail['candidates'])} candidate(s) proposed.")  # fmt: skip
    if detail["opportunity"]:
        print(f"  for CRM opportunity {detail['opportunity']['crm_id']}")
    for c in detail["candidates"]:
        print(f"  {c['rank']:>2}. {c['score']:5.1f}  {c['name']} at {c['account']}")
    return 0


def request_list(args) -> int:
    from django.utils import timezone

    from refdesk.asks import presenters
    from refdesk.asks.choices import OPEN_REQUEST_STATUSES, RequestStatus
    from refdesk.asks.models import ReferenceRequest
    from refdesk.cli import ensure_migrated
    from refdesk.core.errors import InvalidInput

    ensure_migrated()
    qs = ReferenceRequest.objects.select_related("requester", "industry").order_by("-submitted_at", "-pk")
    if args.status == "open":
        qs = qs.filter(status__in=OPEN_REQUEST_STATUSES)
    elif args.status:
        if args.status not in RequestStatus.values:
            raise InvalidInput(f"--status {args.status!r} is not a status (use open or one of {', '.join(RequestStatus.values)}).")
        qs = qs.filter(status=args.status)
    if not 1 <= args.limit <= 10_000:
        raise InvalidInput("--limit must be between 1 and 10000.")
    now = timezone.now()
    items = [presenters.summary_out(r, now=now) for r in qs[: args.limit]]
    if args.json:
        _dump(items)
        return 0
    for r in items:
        due = f"  [{r['sla']['state'].replace('_', ' ')}: {r['sla']['what']}]" if r["sla"]["state"] != "done" else ""
        print(f"#{r['id']:<5} {r['status']:<20} {r['prospect'][:40]:<40} {r['activity_type']:<15} {r['requester']['email']}{due}")
    if not items:
        print("No requests.")
    return 0


def request_show(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.core.errors import InvalidInput

    ensure_migrated()
    if not str(args.id).isdigit():
        raise InvalidInput(f"{args.id!r} is not a request id.")
    detail = _detail(int(args.id))
    if args.json:
        _dump(detail)
        return 0
    print(f"Request #{detail['id']}: {detail['prospect']} — {detail['status']}")
    print(f"  {detail['references_needed']} × {detail['activity_type']} for {detail['requester']['email']}")
    if detail["opportunity"]:
        o = detail["opportunity"]
        print(f"  CRM opportunity {o['crm_id']} ({o['prospect']}, {o['stage']})")
    for c in detail["candidates"]:
        print(f"  {c['rank']:>2}. {c['name']} at {c['account']}: {c['status']}")
    print("Timeline:")
    for e in detail["timeline"]:
        step = f" ({e['from_status'] or 'new'} → {e['to_status']})" if e["to_status"] else ""
        why = f" — {e['reason']}" if e["reason"] else ""
        print(f"  {e['at']:%Y-%m-%d %H:%M} {e['kind']}{step} by {e['actor']}{why}")
    return 0


def request_expire(args) -> int:
    from refdesk.asks.services import requests_expire_overdue
    from refdesk.cli import ensure_migrated

    ensure_migrated()
    expired = requests_expire_overdue()
    if args.json:
        _dump({"expired": expired})
    else:
        print(f"Expired {len(expired)} request(s)." + (f" Ids: {', '.join(map(str, expired))}" if expired else ""))
    return 0
