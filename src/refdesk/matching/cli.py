"""`refdesk match`: ranked, explained references for a request, from the command line."""

import json
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "match",
        help="rank references for a request, with the reasons",
        description="Rank the references that fit a request, best first, each with the criteria that matched.",
    )
    p.add_argument(
        "--industry", required=True, help="a NAICS code or everyday words, e.g. 'cattle ranch'"
    )
    p.add_argument(
        "--product", action="append", default=[], help="a product the prospect wants (repeatable)"
    )
    p.add_argument("--country", default="", help="the prospect's country: ISO code or English name")
    p.add_argument("--employees", help="the prospect's size in employees")
    p.add_argument(
        "--activity", default="reference_call", help="activity type (default reference_call)"
    )
    p.add_argument(
        "--language",
        action="append",
        default=[],
        help="a language the prospect speaks (repeatable)",
    )
    p.add_argument("--competitor", default="", help="the rival vendor in the deal")
    p.add_argument("--prospect", default="", help="the prospect company (never matched to itself)")
    p.add_argument(
        "--prospect-competitor", action="append", default=[], dest="prospect_competitors",
        help="a competitor of the prospect, never proposed (repeatable)",
    )  # fmt: skip
    p.add_argument("--topics", default="", help="use cases or topics the prospect cares about")
    p.add_argument("--limit", default="10", help="how many candidates (1-100, default 10)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=match)


def _whole(value: str, option: str) -> int:
    from refdesk.core.errors import InvalidInput

    try:
        return int(str(value).strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise InvalidInput(f"{option} must be a whole number, not {value!r}.") from None


def match(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.matching.selectors import MatchQuery, match_find

    ensure_migrated()
    query = MatchQuery(
        industry=args.industry, products=args.product, country=args.country,
        employees=_whole(args.employees, "--employees") if args.employees else None,
        activity_type=args.activity, languages=args.language, competitor=args.competitor, prospect=args.prospect,
        prospect_competitors=args.prospect_competitors, topics=args.topics, limit=_whole(args.limit, "--limit"),
    )  # fmt: skip
    result = match_find(user=None, query=query)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    industry = ", ".join(
        f"{m['code']} {m['title']} ({m['score']:.2f})" for m in result["industry"][:3]
    )
    print(f"Industry: {industry or 'not recognised'}")
    for n, c in enumerate(result["candidates"], 1):
        badge = c["availability"] + (f" until {c['available_from']}" if c["available_from"] else "")
        print(f"{n:>3}. {c['score']:5.1f}  {c['name']} <{c['email']}> at {c['account']}  [{badge}]")
        for r in c["reasons"]:
            print(f"         {r['points']:5.1f}  {r['criterion']}: {r['matched']}")
    if not result["candidates"]:
        print("No reference fits this request.")
    print(f"{result['excluded_count']} of {result['pool_size']} references excluded by the rules.")
    return 0
