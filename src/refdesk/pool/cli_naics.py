"""`refdesk naics TEXT [--limit N] [--json]`: the NAICS codes that best fit a free-text industry."""

import json

from refdesk.core.errors import InvalidInput

MAX_LIMIT = 50


def register(sub) -> None:
    p = sub.add_parser(
        "naics",
        help="NAICS 2022 codes that best fit a free-text industry",
        description='The NAICS 2022 codes that best fit everyday words ("cattle ranch", "3PL", "CPA firm"), '
        "best first. A NAICS code passes through.",
    )
    p.add_argument(
        "text", nargs="+", metavar="TEXT", help="the industry in words (quotes optional)"
    )
    p.add_argument(
        "--limit", type=int, default=5, help=f"how many codes, 1 to {MAX_LIMIT} (default 5)"
    )
    p.add_argument(
        "--json", action="store_true", help='print JSON: [{"code", "title", "score"}, ...]'
    )
    p.set_defaults(func=naics_command)


def naics_command(args) -> int:
    """Print the best-fitting NAICS codes as JSON or as a table."""
    from refdesk.pool.industry import industry_resolve

    if not 1 <= args.limit <= MAX_LIMIT:
        raise InvalidInput(
            f"--limit must be between 1 and {MAX_LIMIT}.",
            details={"limit": f"must be 1..{MAX_LIMIT}"},
        )
    text = " ".join(args.text).strip()
    matches = industry_resolve(text, limit=args.limit)
    if args.json:
        print(
            json.dumps(
                [{"code": m.code, "title": m.title, "score": m.score} for m in matches],
                ensure_ascii=False,
            )
        )
        return 0
    if not matches:
        print(f"No NAICS industry fits {text!r}.")
        return 0
    width = max(len(m.code) for m in matches)
    print(f"{'code'.ljust(width)}  score  title")
    for m in matches:
        print(f"{m.code.ljust(width)}  {m.score:.3f}  {m.title}")
    return 0
