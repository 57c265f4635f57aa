"""Pure rules for growing the pool: readiness and look-alike fit. Plain data in, plain data out.

Look-alike scoring reuses the matcher's per-criterion functions (NAICS closeness, size bins,
country/region), so "close" means the same thing when we match and when we look for candidates.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from refdesk.matching import scoring
from refdesk.pool import naics

# --- readiness ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    """One readiness condition, whether it holds, and the words that say so."""

    rule: str
    ok: bool
    text: str


@dataclass(frozen=True, slots=True)
class Readiness:
    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def reasons_not(self) -> list[str]:
        return [c.text for c in self.checks if not c.ok]

    @property
    def summary(self) -> str:
        return "ready" if self.ready else "not ready: " + "; ".join(self.reasons_not)

    def as_dict(self) -> dict:
        return {
            "ready": self.ready,
            "checks": [{"rule": c.rule, "ok": c.ok, "text": c.text} for c in self.checks],
        }


def readiness_of(
    *,
    live_since: dt.date | None,
    nps: int | None,
    open_escalations: int,
    today: dt.date,
    min_live_days: int,
    min_nps: int,
) -> Readiness:
    """Ask only when ready: live at least `min_live_days`, latest NPS at least `min_nps`, no open escalation."""
    checks = []
    if live_since is None:
        checks.append(Check("live", False, "no go-live date recorded"))
    else:
        days = (today - live_since).days
        if days >= min_live_days:
            checks.append(Check("live", True, f"live {days} days (at least {min_live_days})"))
        else:
            ready_on = live_since + dt.timedelta(days=min_live_days)
            checks.append(
                Check(
                    "live",
                    False,
                    f"live only {days} days (needs {min_live_days}; ready on {ready_on})",
                )
            )
    if nps is None:
        checks.append(Check("nps", False, "no NPS recorded"))
    elif nps >= min_nps:
        checks.append(Check("nps", True, f"latest NPS {nps} (at least {min_nps})"))
    else:
        checks.append(Check("nps", False, f"latest NPS {nps} is below {min_nps}"))
    if open_escalations:
        plural = "s" if open_escalations > 1 else ""
        checks.append(Check("escalation", False, f"{open_escalations} open escalation{plural}"))
    else:
        checks.append(Check("escalation", True, "no open escalation"))
    return Readiness(tuple(checks))


# --- look-alikes ----------------------------------------------------------------------------

WEIGHTS = {"industry": 50.0, "size": 20.0, "location": 15.0, "products": 15.0}


@dataclass(frozen=True, slots=True)
class Profile:
    """A shape of customer: one entry per example (a wished-for account or an unfilled request)."""

    industry: str | None = None
    employees: int | None = None
    country: str = ""
    products: frozenset[str] = frozenset()  # lower-cased


@dataclass
class WantedProfile:
    """What the program wants more references like, summed over its examples."""

    examples: int = 0
    industries: Counter = field(default_factory=Counter)
    size_bins: Counter = field(default_factory=Counter)
    countries: Counter = field(default_factory=Counter)
    products: Counter = field(default_factory=Counter)

    @classmethod
    def from_examples(cls, examples: list[Profile]) -> WantedProfile:
        wanted = cls(examples=len(examples))
        for e in examples:
            if e.industry:
                wanted.industries[e.industry] += 1
            b = scoring.size_bin(e.employees)
            if b is not None:
                wanted.size_bins[b] += 1
            if e.country:
                wanted.countries[e.country] += 1
            for p in e.products:
                wanted.products[p] += 1
        return wanted

    def as_dict(self, top: int = 5) -> dict:
        return {
            "examples": self.examples,
            "industries": [
                {"code": c, "title": naics.title(c), "count": n}
                for c, n in self.industries.most_common(top)
            ],
            "sizes": [
                {"employees_about": round(10 ** (b / 10)), "count": n}
                for b, n in self.size_bins.most_common(top)
            ],
            "countries": [{"country": c, "count": n} for c, n in self.countries.most_common(top)],
            "products": [{"product": p, "count": n} for p, n in self.products.most_common(top)],
        }


@dataclass(frozen=True, slots=True)
class Fit:
    score: float
    parts: tuple[scoring.Part, ...]


def _average(counter: Counter, closeness) -> tuple[float, str, int]:
    """Mean closeness over the examples that state this criterion; the best-matching value and how many matched."""
    total = sum(counter.values())
    if not total:
        return 0.0, "", 0
    acc, best, best_value, hits = 0.0, 0.0, "", 0
    for value, n in counter.items():
        c = closeness(value)
        acc += c * n
        if c > 0:
            hits += n
        if c * n > best:
            best, best_value = c * n, value
    return acc / total, best_value, hits


def lookalike_fit(wanted: WantedProfile, candidate: Profile) -> Fit:
    """How well a customer fits the wanted profile; the score is the sum of its explained parts."""
    parts = []
    frac, best, hits = _average(
        wanted.industries, lambda code: scoring.industry_closeness(code, candidate.industry)
    )
    if frac > 0:
        total = sum(wanted.industries.values())
        parts.append(
            scoring.Part(
                "industry",
                f"{candidate.industry} {naics.title(candidate.industry)} is close to {hits} of {total} wanted (best: {best})",
                round(WEIGHTS["industry"] * frac, 1),
            )
        )
    have_bin = scoring.size_bin(candidate.employees)
    frac, best, hits = _average(wanted.size_bins, lambda b: scoring.size_part(b, have_bin, 1.0))
    if frac > 0:
        parts.append(
            scoring.Part(
                "size",
                f"{candidate.employees} employees, near {hits} of {sum(wanted.size_bins.values())} wanted sizes",
                round(WEIGHTS["size"] * frac, 1),
            )
        )
    frac, best, hits = _average(
        wanted.countries, lambda c: scoring.location_part(c, candidate.country, 1.0)[0]
    )
    if frac > 0:
        parts.append(
            scoring.Part(
                "location",
                f"{candidate.country}: same country or region as {hits} of {sum(wanted.countries.values())} wanted",
                round(WEIGHTS["location"] * frac, 1),
            )
        )
    if wanted.products and candidate.products:
        total = sum(wanted.products.values())
        common = [p for p in wanted.products if p in candidate.products]
        frac = sum(wanted.products[p] for p in common) / total
        if frac > 0:
            parts.append(
                scoring.Part(
                    "products",
                    "owns " + ", ".join(sorted(common)),
                    round(WEIGHTS["products"] * frac, 1),
                )
            )
    parts = [p for p in parts if p.points > 0]
    if wanted.industries and not any(p.criterion == "industry" for p in parts):
        # Never "a cattle ranch for a bank": size and country alone do not make a look-alike.
        return Fit(0.0, ())
    return Fit(round(sum(p.points for p in parts), 1), tuple(parts))
