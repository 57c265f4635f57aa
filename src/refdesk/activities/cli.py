"""`refdesk activity …`: the log, its import, fatigue, content and events, over the same services."""

import json
import sys


def register(sub) -> None:
    p = sub.add_parser("activity", help="list, log and import activities; fatigue; content; events")
    asub = p.add_subparsers(dest="activity_command", metavar="ACTION", required=True)

    ls = asub.add_parser("list", help="the activity log, newest first")
    ls.add_argument("--type", default="", dest="activity_type", help="an activity type")
    ls.add_argument("--reference", type=int, default=None, help="a reference id")
    ls.add_argument("--source", default="", help="request, manual, import or event")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=activity_list)

    lg = asub.add_parser("log", help="log an activity done outside a request")
    lg.add_argument("--email", required=True, help="the reference's email")
    lg.add_argument(
        "--type", required=True, dest="activity_type", help="an activity type, e.g. media"
    )
    lg.add_argument("--date", required=True, help="YYYY-MM-DD")
    lg.add_argument("--status", default="completed")
    lg.add_argument("--request", default=None, help="a request number")
    lg.add_argument("--opportunity", default="")
    lg.add_argument("--notes", default="")
    lg.set_defaults(func=activity_log)

    im = asub.add_parser("import", help="import activities from .csv or .xlsx: all rows or none",
                         description="Columns: email, activity_type, date; optional status, request_id, opportunity, "
                         "notes, external_id. Any bad row: every bad row listed by line, nothing written, exit 1.")  # fmt: skip
    im.add_argument("file", metavar="FILE")
    im.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    im.add_argument("--json", action="store_true", help="print JSON")
    im.set_defaults(func=activity_import_command)

    fa = asub.add_parser(
        "fatigue", help="references at or near their cap, needing a break, never asked"
    )
    fa.add_argument("--json", action="store_true", help="print JSON")
    fa.set_defaults(func=fatigue_command)

    co = asub.add_parser("content", help="search the content library")
    co.add_argument("q", nargs="?", default="", help="words to search for")
    co.add_argument("--kind", default="")
    co.add_argument("--expiring", action="store_true", help="only assets expiring within 30 days")
    co.add_argument("--json", action="store_true", help="print JSON")
    co.set_defaults(func=content_command)

    ev = asub.add_parser("events", help="group events, upcoming first")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=events_command)


def _dump(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def activity_list(args) -> int:
    from refdesk.activities import selectors
    from refdesk.cli import ensure_migrated

    ensure_migrated()
    filters = selectors.ActivityFilters(
        activity_type=args.activity_type, reference_id=args.reference, source=args.source
    )
    rows = [
        {"id": a.pk, "date": a.occurred_at.date().isoformat(), "reference": a.reference.contact.name,
         "email": a.reference.contact.email, "account": a.reference.contact.account.name, "type": a.activity_type,
         "status": a.status, "source": a.source, "request_id": a.request_id, "opportunity": a.opportunity_text}
        for a in selectors.activity_list(user=None, filters=filters)[: max(1, args.limit)]
    ]  # fmt: skip
    if args.json:
        _dump(rows)
    else:
        for r in rows:
            print(
                f"{r['date']}  {r['type']:<15} {r['status']:<10} {r['reference']} ({r['account']}) {r['opportunity']}"
            )
    return 0


def activity_log(args) -> int:
    from refdesk.activities import services
    from refdesk.cli import ensure_migrated
    from refdesk.core.errors import NotFound
    from refdesk.pool.models import ReferenceProfile

    ensure_migrated()
    reference = ReferenceProfile.objects.filter(contact__email__iexact=args.email.strip()).first()
    if reference is None:
        raise NotFound(f"No reference with email {args.email}.")
    activity = services.activity_log(
        actor=None, reference_id=reference.pk, activity_type=args.activity_type, occurred_at=args.date,
        status=args.status, request_id=args.request, opportunity_text=args.opportunity, notes=args.notes,
    )  # fmt: skip
    print(
        f"Logged activity #{activity.pk}: {activity.get_activity_type_display()} with {reference.contact.name}"
    )
    return 0


def activity_import_command(args) -> int:
    from refdesk.activities.importing import activity_import
    from refdesk.cli import ensure_migrated
    from refdesk.core.errors import NotFound

    ensure_migrated()
    import os

    if not os.path.isfile(args.file):
        raise NotFound(f"No file {args.file}.")
    result = activity_import(actor=None, path_or_file=args.file, dry_run=args.dry_run)
    if args.json:
        _dump(result.as_dict())
    else:
        print(result.summary())
    for error in result.errors:
        print(f"refdesk: {error}", file=sys.stderr)
    return 1 if result.errors else 0


def fatigue_command(args) -> int:
    from django.utils import timezone

    from refdesk.activities import selectors
    from refdesk.cli import ensure_migrated

    ensure_migrated()
    report = selectors.fatigue_report(user=None, today=timezone.now().date())

    def who(r):
        return {
            "reference_id": r.pk,
            "name": r.contact.name,
            "email": r.contact.email,
            "account": r.contact.account.name,
        }

    data = {
        "capped": [who(r["reference"]) | {"activity_type": r["activity_type"], "free_from": r["load"].free_from,
                                          "reasons": [b.reason for b in r["load"].blocks]} for r in report["capped"]],
        "near": [who(r["reference"]) | {"activity_type": r["activity_type"]} for r in report["near"]],
        "need_break": [who(r["reference"]) | {"asked": r["asked"], "used": r["used"], "declines": r["declines"]}
                       for r in report["need_break"]],
        "never_asked": [who(r) for r in report["never_asked"]],
        "busiest_share": round(report["busiest_share"], 4),
    }  # fmt: skip
    if args.json:
        _dump(data)
    else:
        print(
            f"Busiest 10 % of references took {data['busiest_share']:.0%} of the last year's activity."
        )
        for label in ("capped", "near", "need_break", "never_asked"):
            print(f"{label.replace('_', ' ')}: {len(data[label])}")
            for row in data[label][:20]:
                print(f"  {row['name']} ({row['account']}) {row.get('activity_type', '')}")
    return 0


def content_command(args) -> int:
    from refdesk.activities import selectors
    from refdesk.cli import ensure_migrated

    ensure_migrated()
    filters = selectors.ContentFilters(q=args.q, kind=args.kind, expiring=args.expiring)
    rows = [{"id": a.pk, "kind": a.kind, "title": a.title, "account": a.account.name if a.account else "",
             "expires_on": a.expires_on, "uses": a.use_count} for a in selectors.content_list(user=None, filters=filters)[:100]]  # fmt: skip
    if args.json:
        _dump(rows)
    else:
        for r in rows:
            print(
                f"#{r['id']:<5} {r['kind']:<12} {r['title']}  {r['account']}  expires {r['expires_on'] or 'never'}"
            )
    return 0


def events_command(args) -> int:
    from refdesk.activities import selectors
    from refdesk.cli import ensure_migrated

    ensure_migrated()
    rows = [{"id": e.pk, "title": e.title, "format": e.format, "status": e.status, "starts_at": e.starts_at,
             "speakers": [r.contact.name for r in e.references.all()], "invites": e.invite_count}
            for e in selectors.event_list(user=None).order_by("-starts_at")[:100]]  # fmt: skip
    if args.json:
        _dump(rows)
    else:
        for r in rows:
            print(
                f"#{r['id']:<5} {r['starts_at']:%Y-%m-%d %H:%M} {r['status']:<10} {r['title']} ({', '.join(r['speakers'])})"
            )
    return 0
