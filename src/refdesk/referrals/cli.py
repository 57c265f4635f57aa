"""`refdesk referrals …`: figures per source, targets with progress, fees owed and paid."""

import json


def register(sub) -> None:
    p = sub.add_parser("referrals", help="referral pipeline figures, targets and fees")
    rsub = p.add_subparsers(dest="referrals_command", metavar="ACTION", required=True)
    s = rsub.add_parser(
        "sources", help="leads, closure rate, revenue and cost per lead for each source"
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=sources)
    t = rsub.add_parser("targets", help="referral targets per period with progress")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=targets)
    f = rsub.add_parser("fees", help="referral fees owed and paid")
    f.add_argument("--status", choices=["owed", "paid"], default="")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=fees)
    pay = rsub.add_parser("pay", help="mark a referral fee paid")
    pay.add_argument("fee_id", type=int)
    pay.add_argument("--paid-on", default="", help="ISO date (default today)")
    pay.set_defaults(func=fee_pay)


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


def targets(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.growth.cli import _operator
    from refdesk.referrals import selectors

    ensure_migrated()
    rows = [
        {k: v for k, v in row.items() if k != "target"}
        for row in selectors.target_progress(user=_operator())
    ]
    if args.json:
        print(json.dumps(rows, default=str, indent=2))
        return 0
    for r in rows:
        print(f"{r['label']} ({r['starts_on']} – {r['ends_on']}): leads {r['leads']}/{r['lead_target']}, "
              f"won {r['won_value']}/{r['value_target']}{' (current)' if r['current'] else ''}")  # fmt: skip
    return 0


def fees(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.growth.cli import _operator
    from refdesk.referrals import selectors

    ensure_migrated()
    rows = [{"id": f.pk, "lead_id": f.lead_id, "company": f.lead.company, "payee": f.payee, "payee_label": f.payee_label,
             "amount": str(f.amount), "status": f.status, "paid_on": f.paid_on}
            for f in selectors.fee_list(user=_operator(), status=args.status).order_by("pk")]  # fmt: skip
    if args.json:
        print(json.dumps(rows, default=str, indent=2))
        return 0
    for r in rows:
        print(
            f"{r['id']:>6} {r['status']:<5} {r['amount']:>12} {r['payee_label']} ({r['payee']}) for {r['company']}"
        )
    return 0


def fee_pay(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.growth.cli import _operator
    from refdesk.referrals import selectors, services

    ensure_migrated()
    user = _operator()
    fee = selectors.fee_get(user=user, fee_id=args.fee_id)
    fee = services.fee_pay(actor=user, fee=fee, paid_on=args.paid_on or None)
    print(f"Fee {fee.pk} of {fee.amount} to {fee.payee_label} paid on {fee.paid_on}.")
    return 0
