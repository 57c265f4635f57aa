"""`refdesk insights [--from --to] [--json]` and `refdesk insights-import FILE [--dry-run]`."""

import json
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser(
        "insights", help="the program's figures for a period (turnaround, fulfilment, ROI…)"
    )
    p.add_argument(
        "--from",
        dest="date_from",
        default="",
        help="first day, YYYY-MM-DD (default: 90 days before --to)",
    )
    p.add_argument("--to", dest="date_to", default="", help="last day, YYYY-MM-DD (default: today)")
    p.add_argument("--figure", action="append", default=[], help="only this figure (repeatable)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=show)
    i = sub.add_parser(
        "insights-import",
        help="import CRM opportunities (CSV or XLSX) for win rates and influenced revenue",
    )
    i.add_argument(
        "file",
        help="columns: crm_id, name, prospect, owner_email, amount, stage, created_on, closed_on, request_ids",
    )
    i.add_argument(
        "--dry-run", action="store_true", help="check every row and report, write nothing"
    )
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=import_opportunities)


def _cell(value) -> str:
    return "—" if value is None else str(value)


def show(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.core.errors import NotFound
    from refdesk.growth.cli import _operator
    from refdesk.insights import selectors

    ensure_migrated()
    user = _operator()
    period = selectors.period_parse(args.date_from, args.date_to)
    for key in args.figure:
        if key not in selectors.FIGURES:
            raise NotFound(
                f"There is no figure called {key!r}; figures: {', '.join(selectors.FIGURE_KEYS)}."
            )
    figures = [
        f
        for f in selectors.dashboard(user=user, period=period)
        if not args.figure or f.key in args.figure
    ]
    if args.json:
        print(
            json.dumps(
                {"period": period.as_dict(), "figures": [f.as_dict() for f in figures]},
                default=str,
                indent=2,
            )
        )
        return 0
    print(f"Insights {period.start} to {period.end}")
    for f in figures:
        print(f"\n{f.title}")
        if f.warning:
            print(f"  ! {f.warning}")
        print("  " + "; ".join(f"{k} {_cell(v)}" for k, v in f.summary.items()))
        print("  " + " | ".join(f.columns))
        for row in f.rows:
            print("  " + " | ".join(_cell(c) for c in row))
    return 0


def import_opportunities(args) -> int:
    import sys

    from refdesk.cli import ensure_migrated
    from refdesk.core.errors import InvalidInput
    from refdesk.insights import services

    ensure_migrated()
    path = Path(args.file)
    if not path.is_file():
        raise InvalidInput(f"No such file: {args.file}")
    result = services.opportunity_import(
        actor=None, path=path, filename=path.name, dry_run=args.dry_run
    )
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        print(result.summary())
    for error in result.errors:
        print(str(error), file=sys.stderr)
    return 0 if result.ok else 1
