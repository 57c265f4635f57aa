"""`refdesk rewards …`: balances and the rewards sweep."""

import json


def register(sub) -> None:
    p = sub.add_parser("rewards", help="points balances and the rewards sweep")
    rsub = p.add_subparsers(dest="rewards_command", metavar="ACTION", required=True)
    b = rsub.add_parser("balance", help="a salesperson's or a reference's points and latest ledger entries",
                        description="Looks the email up among users first, then among reference contacts.")  # fmt: skip
    b.add_argument("--email", required=True, help="a user's or a reference contact's email")
    b.add_argument(
        "--entries", type=int, default=10, help="how many ledger entries to show (default 10)"
    )
    b.add_argument("--json", action="store_true", help="print JSON")
    b.set_defaults(func=balance)
    s = rsub.add_parser(
        "sweep",
        help="credit what was missed, expire lapsed points, send expiry notices and thank-you reminders",
    )
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=sweep)


def balance(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.core.errors import NotFound
    from refdesk.rewards import selectors

    ensure_migrated()
    found, holder = selectors.holder_find(user=None, email=args.email)
    if not found:
        raise NotFound(f"No user or reference with email {args.email}.")
    total = selectors.balance_of(holder)
    entries = list(selectors.ledger_list(holder=holder)[: max(args.entries, 0)])
    expiring, expiring_at = selectors.expiring_soon(holder)
    if args.json:
        print(json.dumps({
            "email": args.email.strip().lower(), "holder_id": holder.pk if holder else None, "balance": total, "expiring": expiring,
            "expiring_at": expiring_at.isoformat() if expiring_at else None,
            "entries": [{"at": e.at.isoformat(), "kind": e.kind, "points": e.points, "balance_after": e.balance_after,
                         "reason": e.reason} for e in entries],
        }))  # fmt: skip
        return 0
    print(f"{args.email.strip().lower()}: {total} points")
    if expiring:
        print(f"  {expiring} lapse on {expiring_at:%Y-%m-%d}")
    for e in entries:
        print(
            f"  {e.at:%Y-%m-%d}  {e.points:+7d}  = {e.balance_after:<7d} {e.get_kind_display():<9} {e.reason}"
        )
    return 0


def sweep(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.rewards.services import rewards_sweep

    ensure_migrated()
    summary = rewards_sweep()
    print(
        json.dumps(summary)
        if args.json
        else ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.items())
    )
    return 0
