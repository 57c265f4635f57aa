"""`refdesk referrals …`."""

import json


def register(sub) -> None:
    p = sub.add_parser("referrals", help="referral pipeline figures")
    rsub = p.add_subparsers(dest="referrals_command", metavar="ACTION", required=True)
    s = rsub.add_parser("sources", help="leads, closure rate, revenue and cost per lead for each source")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=sources)


def sources(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.growth.cli import _operator
    from refdesk.referrals import selectors

    ensure_migrated()
    figures = selectors.source_report(user=_operator())
    if args.json:
        print(json.dumps([f.as_dict() for f in figures], default=str, indent=2))
        return 0
    print(f"{'source':<10}{'leads':>7}{'won':>6}{'lost':>6}{'closure':>9}{'revenue':>14}")
    for f in figures:
        rate = f"{f.closure_rate}%" if f.closure_rate is not None else "—"
        print(f"{f.source:<10}{f.leads:>7}{f.won:>6}{f.lost:>6}{rate:>9}{f.revenue:>14}")
    return 0
