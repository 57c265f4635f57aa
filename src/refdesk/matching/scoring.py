"""Pure matching rules: hard exclusions, soft scoring with explanations, ranking.

Plain functions over plain data (no database): a request `MatchSpec`, a `Candidate` per
reference and the program's `Rules`. The fast engine (`matching/engine.py`) builds its lookup
tables from the per-criterion functions below, so both always agree.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from refdesk.core import geo
from refdesk.pool import naics

# Criteria in the order explanations list them, with their default weights (0–100 each).
# Industry outweighs any single other criterion, so "the right kind of customer" comes first.
DEFAULT_WEIGHTS: dict[str, float] = {
    "industry": 40,
    "products": 12,
    "location": 6,
    "time_zone": 3,
    "language": 5,
    "size": 6,
    "topics": 6,
    "competitor": 6,
    "satisfaction": 5,
    "fairness": 4,
}
CRITERIA = tuple(DEFAULT_WEIGHTS)

ACTIVE = "active"
DEFAULT_ACTIVITY = "reference_call"
# Activities that take none of the person's time: caps and cool-down do not stop them.
PASSIVE_ACTIVITY_TYPES = frozenset({"logo", "quote"})
# Activities held live with the prospect, where overlapping working hours matter.
LIVE_ACTIVITY_TYPES = frozenset({"reference_call", "media", "webinar"})

# Closeness in the NAICS tree when the candidate is not inside what was asked for.
DEPTH_CLOSENESS = {6: 1.0, 5: 0.85, 4: 0.7, 3: 0.45, 2: 0.2, 0: 0.0}
REGION_SHARE = 0.5  # same region but another country earns half the location weight
UNKNOWN_SATISFACTION = 0.1
WORKDAY_HOURS = 8.0

FREE, ON_OPEN_REQUEST, RESTING = "free", "on_open_request", "resting"


@dataclass(frozen=True, slots=True)
class Rules:
    """The program's settings the rules read: weights, NPS threshold, caps and cool-down."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    nps_threshold: int = 7
    short_cap: int = 2
    short_window_days: int = 30
    long_cap: int = 6
    long_window_days: int = 90
    cooldown_days: int = 14

    @property
    def lookback_days(self) -> int:
        """How far back activities matter to any rule."""
        return max(self.short_window_days, self.long_window_days, self.cooldown_days)

    def weight(self, criterion: str) -> float:
        return float(self.weights.get(criterion, 0))


@dataclass(frozen=True, slots=True)
class IndustryTarget:
    """An industry the request asks for, with how much it counts (1.0 for the best fit)."""

    code: str
    title: str = ""
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class MatchSpec:
    """What the requester needs. Names are compared normalised (case, punctuation, suffixes)."""

    today: dt.date
    industries: tuple[IndustryTarget, ...] = ()
    products: tuple[str, ...] = ()
    country: str = ""
    employees: int | None = None
    activity_type: str = DEFAULT_ACTIVITY
    languages: tuple[str, ...] = ()
    competitor: str = ""  # the rival vendor in the deal
    prospect: str = ""  # the prospect company: never matched to itself
    prospect_competitors: tuple[str, ...] = ()  # the prospect's own competitors: excluded
    topics: str = ""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One reference as the rules see it."""

    reference_id: int
    account_name: str = ""
    industry: str | None = None
    country: str = ""
    employees: int | None = None
    products: frozenset[str] = frozenset()  # lower-cased names
    languages: frozenset[str] = frozenset()
    time_zone: str = ""
    activity_types: frozenset[str] = frozenset()
    status: str = ACTIVE
    opted_out: bool = False
    blocked: bool = False
    held: bool = False  # held back for a program manager's review after a failed reference
    nps: int | None = None
    nps_date: dt.date | None = None
    csat: int | None = None
    csat_date: dt.date | None = None
    topics: tuple[str, ...] = ()
    competitors_displaced: tuple[str, ...] = ()
    activity_dates: tuple[dt.date, ...] = ()  # counted activities in the look-back, oldest first


@dataclass(frozen=True, slots=True)
class Part:
    """One line of an explanation: which criterion, what matched, how many points."""

    criterion: str
    matched: str
    points: float

    def as_dict(self) -> dict:
        return {"criterion": self.criterion, "matched": self.matched, "points": self.points}


@dataclass(frozen=True, slots=True)
class Exclusion:
    """A hard rule the candidate breaks, and why."""

    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class Usage:
    """How much a reference was used and until when they rest."""

    short_count: int
    long_count: int
    last: dt.date | None
    cooldown_until: dt.date | None
    cap_until: dt.date | None
    cap_rule: str = ""

    @property
    def resting_until(self) -> dt.date | None:
        dates = [d for d in (self.cooldown_until, self.cap_until) if d]
        return max(dates) if dates else None


@dataclass(frozen=True, slots=True)
class Scored:
    """A ranked candidate: the score is exactly the sum of its parts."""

    candidate: Candidate
    score: float
    parts: tuple[Part, ...]
    availability: str
    available_from: dt.date | None
    usage: Usage


# --- normalising ---------------------------------------------------------------------

_LEGAL_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company ltd limited llc llp lp plc gmbh mbh ag kg kgaa se sa sas sarl "
    "srl spa bv nv oy oyj ab asa as aps pty pte sl sro kk holding holdings group the".split()
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """A company name for comparison: no case, accents, punctuation or legal suffixes."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    # "G.m.b.H." and "S.A." lose their dots first so they read as one suffix.
    text = re.sub(r"\b((?:[a-z]\.){2,})", lambda m: m.group(1).replace(".", ""), text)
    words = [w for w in _NON_WORD.split(text) if w]
    kept = list(words)
    while len(kept) > 1 and kept[-1] in _LEGAL_SUFFIXES:
        kept.pop()
    while len(kept) > 1 and kept[0] == "the":
        kept.pop(0)
    return " ".join(kept)


_STOPWORDS = frozenset(
    "and the for with from into our their your that this are was were has have had not but all any can "
    "who how what when why use using used via per its out off over under about more most less very".split()
)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def topic_words(text: str) -> frozenset[str]:
    """The words of a topic or of the request's text that topics are matched on."""
    return frozenset(
        _stem(w)
        for w in _NON_WORD.split((text or "").lower())
        if len(w) >= 3 and w not in _STOPWORDS
    )


def size_bin(employees: int | None) -> int | None:
    """Company size on a log scale, in tenths of a decade (10 → 10, 1,000 → 30)."""
    if not employees or employees < 1:
        return None
    return round(math.log10(employees) * 10)


# --- usage, availability and hard rules ----------------------------------------------


def usage_of(candidate: Candidate, rules: Rules, today: dt.date) -> Usage:
    """Counts in the rolling windows, cool-down and the date a capped reference is free again."""
    dates = sorted(candidate.activity_dates)
    short = [d for d in dates if d > today - dt.timedelta(days=rules.short_window_days)]
    long_ = [d for d in dates if d > today - dt.timedelta(days=rules.long_window_days)]
    last = dates[-1] if dates else None
    cooldown_until = None
    if last and rules.cooldown_days > 0:
        end = last + dt.timedelta(days=rules.cooldown_days)
        if end > today:
            cooldown_until = end
    cap_until, cap_rule = None, ""
    for window, cap, days, label in (
        (short, rules.short_cap, rules.short_window_days, "short"),
        (long_, rules.long_cap, rules.long_window_days, "long"),
    ):
        if len(window) >= cap:
            # Free again when enough of the oldest activities leave the window.
            free = window[len(window) - cap] + dt.timedelta(days=days)
            if cap_until is None or free > cap_until:
                cap_until, cap_rule = free, label
    return Usage(len(short), len(long_), last, cooldown_until, cap_until, cap_rule)


def base_exclusions(candidate: Candidate, rules: Rules) -> list[Exclusion]:
    """Hard rules that hold whatever the request: status, opt-out, satisfaction, owner's block."""
    result = []
    if candidate.status != ACTIVE:
        result.append(Exclusion("status", f"status is {candidate.status}, not active"))
    if candidate.opted_out:
        result.append(Exclusion("opted_out", "opted out of the program"))
    if candidate.nps is not None and candidate.nps < rules.nps_threshold:
        result.append(Exclusion("nps", f"NPS {candidate.nps} is below {rules.nps_threshold}"))
    if candidate.blocked:
        result.append(
            Exclusion("blocked", "the account owner has blocked matching for this customer")
        )
    if candidate.held:
        result.append(
            Exclusion("held", "held back until a program manager reviews a poor reference")
        )
    return result


def resting_exclusions(usage: Usage, rules: Rules, activity_type: str) -> list[Exclusion]:
    """Caps and cool-down: they stop anything that takes the person's time."""
    if activity_type in PASSIVE_ACTIVITY_TYPES:
        return []
    result = []
    if usage.cap_until:
        if usage.cap_rule == "short":
            count, cap, days = usage.short_count, rules.short_cap, rules.short_window_days
        else:
            count, cap, days = usage.long_count, rules.long_cap, rules.long_window_days
        result.append(
            Exclusion(
                "cap",
                f"{count} activities in the last {days} days (cap {cap}); free again {usage.cap_until}",
            )
        )
    if usage.cooldown_until:
        result.append(
            Exclusion(
                "cooldown",
                f"cool-down after the activity on {usage.last}; free again {usage.cooldown_until}",
            )
        )
    return result


def name_exclusions(spec: MatchSpec, candidate: Candidate) -> list[Exclusion]:
    """The prospect itself, a competitor of the prospect, or the rival vendor in the deal."""
    name = normalize_name(candidate.account_name)
    if not name:
        return []
    result = []
    if spec.prospect and normalize_name(spec.prospect) == name:
        result.append(Exclusion("prospect", "is the prospect itself"))
    if any(normalize_name(c) == name for c in spec.prospect_competitors if c):
        result.append(Exclusion("competitor", "is a competitor of the prospect"))
    elif spec.competitor and normalize_name(spec.competitor) == name:
        result.append(Exclusion("competitor", "is the competing vendor in the deal"))
    return result


def exclusions(
    spec: MatchSpec, candidate: Candidate, rules: Rules, usage: Usage | None = None
) -> list[Exclusion]:
    """Every hard rule the candidate breaks for this request (empty: eligible)."""
    usage = usage or usage_of(candidate, rules, spec.today)
    result = base_exclusions(candidate, rules)
    if spec.activity_type not in candidate.activity_types:
        result.append(
            Exclusion("activity", f"has not agreed to {spec.activity_type.replace('_', ' ')}")
        )
    result += resting_exclusions(usage, rules, spec.activity_type)
    result += name_exclusions(spec, candidate)
    return result


def availability_of(usage: Usage, *, on_open_request: bool = False) -> tuple[str, dt.date | None]:
    """free, on_open_request, or resting (with the date they are free again)."""
    if usage.resting_until:
        return RESTING, usage.resting_until
    if on_open_request:
        return ON_OPEN_REQUEST, None
    return FREE, None


# --- soft scoring, one function per criterion ----------------------------------------


def _pts(weight: float, fraction: float) -> float:
    return round(weight * max(0.0, min(1.0, fraction)), 1)


def industry_closeness(target: str, code: str | None) -> float:
    """1.0 inside the industry asked for, less the further apart they sit in the NAICS tree."""
    depth = naics.shared_depth(target, code)
    if depth and depth >= naics.level_of(target):
        return 1.0
    return DEPTH_CLOSENESS.get(depth, 0.0)


@lru_cache(maxsize=200_000)
def industry_part(
    targets: tuple[IndustryTarget, ...], code: str | None, weight: float
) -> tuple[float, str]:
    best, label = 0.0, ""
    for target in targets:
        closeness = industry_closeness(target.code, code) * max(0.0, min(1.0, target.confidence))
        if closeness > best:
            best = closeness
            depth = naics.shared_depth(target.code, code)
            shared = naics.sector_of(code) if depth == 2 else code[:depth]
            kind = {6: "industry", 5: "industry", 4: "group", 3: "subsector"}.get(depth, "sector")
            label = f"same {kind}: {shared} {naics.title(shared)}".strip()
            if target.confidence < 1.0:
                label += f" (fit {target.confidence:.2f})"
    return _pts(weight, best), label


def products_part(
    wanted: tuple[str, ...], have: frozenset[str], weight: float
) -> tuple[float, str]:
    wanted = tuple(dict.fromkeys(wanted))
    if not wanted:
        return 0.0, ""
    common = [p for p in wanted if p in have]
    return products_points(len(wanted), weight)[len(common)], ", ".join(common)


@lru_cache(maxsize=1024)
def products_points(wanted_count: int, weight: float) -> tuple[float, ...]:
    """The points for holding 0, 1, … `wanted_count` of the (distinct) products asked for."""
    return tuple(_pts(weight, held / wanted_count) for held in range(wanted_count + 1))


def location_part(country: str, candidate_country: str, weight: float) -> tuple[float, str]:
    if not country or not candidate_country:
        return 0.0, ""
    if country == candidate_country:
        return _pts(weight, 1.0), f"same country {country}"
    region = geo.region_of(country)
    if region and region == geo.region_of(candidate_country):
        return _pts(weight, REGION_SHARE), f"same region {region} ({candidate_country})"
    return 0.0, ""


@lru_cache(maxsize=4096)
def _offset_hours(zone: str, day: dt.date) -> float | None:
    try:
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(zone))
    except Exception:
        return None
    offset = moment.utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else None


@lru_cache(maxsize=4096)
def _country_offsets(country: str, day: dt.date) -> tuple[float, ...]:
    offsets = {_offset_hours(z, day) for z in geo.country_time_zones().get(country, [])}
    return tuple(sorted(o for o in offsets if o is not None))


@lru_cache(maxsize=65536)
def time_zone_part(
    country: str, activity_type: str, zone: str, candidate_country: str, weight: float, day: dt.date
) -> tuple[float, str]:
    """Hours of working day shared with the prospect, for activities held live."""
    if not country or activity_type not in LIVE_ACTIVITY_TYPES:
        return 0.0, ""
    theirs = _offset_hours(zone, day) if zone else None
    if theirs is None:
        zones = _country_offsets(candidate_country, day) if candidate_country else ()
        theirs = zones[len(zones) // 2] if zones else None
    ours = _country_offsets(country, day)
    if theirs is None or not ours:
        return 0.0, ""
    overlap = max(max(0.0, WORKDAY_HOURS - abs(theirs - o)) for o in ours)
    if overlap <= 0:
        return 0.0, ""
    return _pts(weight, overlap / WORKDAY_HOURS), f"{overlap:g} h of working day overlap"


def language_part(
    wanted: tuple[str, ...], have: frozenset[str], weight: float
) -> tuple[float, str]:
    if not wanted:
        return 0.0, ""
    common = [lang for lang in wanted if lang in have]
    if not common:
        return 0.0, ""
    return _pts(weight, 1.0), "speaks " + ", ".join(common)


def size_part(wanted_bin: int | None, have_bin: int | None, weight: float) -> float:
    """Points for company size: full at the same size, none two decades apart."""
    if wanted_bin is None or have_bin is None:
        return 0.0
    return _pts(weight, 1 - abs(wanted_bin - have_bin) / 20)


def topic_hits_needed(wanted: frozenset[str]) -> int:
    return min(len(wanted), 3)


def topics_points(hits: int, needed: int, weight: float) -> float:
    if not needed or not hits:
        return 0.0
    return _pts(weight, min(hits, needed) / needed)


def topics_part(
    wanted: frozenset[str], topics: tuple[str, ...], weight: float
) -> tuple[float, str]:
    if not wanted:
        return 0.0, ""
    have: set[str] = set()
    matched = []
    for topic in topics:
        words = topic_words(topic) & wanted
        if words:
            have |= words
            matched.append(topic)
    return topics_points(len(have), topic_hits_needed(wanted), weight), ", ".join(matched)


def competitor_part(rival: str, displaced: tuple[str, ...], weight: float) -> tuple[float, str]:
    if not rival:
        return 0.0, ""
    for name in displaced:
        if normalize_name(name) == rival:
            return _pts(weight, 1.0), f"displaced {name}"
    return 0.0, ""


def _freshness(when: dt.date | None, today: dt.date) -> float:
    if when is None:
        return 0.5
    days = (today - when).days
    if days <= 365:
        return 1.0
    if days >= 730:
        return 0.5
    return 1.0 - 0.5 * (days - 365) / 365


@lru_cache(maxsize=65536)
def satisfaction_part(
    nps: int | None,
    nps_date: dt.date | None,
    csat: int | None,
    csat_date: dt.date | None,
    today: dt.date,
    weight: float,
) -> tuple[float, str]:
    """A high, recent score earns most; an unknown one a little."""
    if nps is not None:
        fraction, when, label = (nps - 6) / 4, nps_date, f"NPS {nps}"
    elif csat is not None:
        fraction, when, label = (csat - 1) / 4 * 0.8, csat_date, f"CSAT {csat}/5"
    else:
        return _pts(weight, UNKNOWN_SATISFACTION), "satisfaction not yet measured"
    fraction = max(0.0, min(1.0, fraction)) * _freshness(when, today)
    label += f" ({when})" if when else " (undated)"
    return _pts(weight, fraction), label


def fairness_part(long_count: int, long_days: int, weight: float) -> tuple[float, str]:
    """A small bonus that shrinks with recent use, so the load is spread."""
    label = (
        f"not used in {long_days} days"
        if not long_count
        else f"used {long_count}× in {long_days} days"
    )
    return _pts(weight, 1 / (1 + long_count)), label


def request_words(spec: MatchSpec) -> frozenset[str]:
    return topic_words(spec.topics)


# When the request asks for any of these, a candidate must match at least one: satisfaction and
# fairness alone never make a bank a fit for a cattle ranch.
FIT_CRITERIA = frozenset(
    {"industry", "products", "location", "time_zone", "language", "size", "topics", "competitor"}
)


def asks_for_fit(spec: MatchSpec, rules: Rules) -> bool:
    """Does the request name anything a candidate could fit (with a weight above zero)?"""
    asked = {
        "industry": bool(spec.industries),
        "products": bool(spec.products),
        "location": bool(spec.country),
        "time_zone": bool(spec.country) and spec.activity_type in LIVE_ACTIVITY_TYPES,
        "language": bool(spec.languages),
        "size": size_bin(spec.employees) is not None,
        "topics": bool(request_words(spec)),
        "competitor": bool(normalize_name(spec.competitor)),
    }
    return any(wanted and rules.weight(criterion) > 0 for criterion, wanted in asked.items())


def fits(scored: Scored) -> bool:
    return any(p.criterion in FIT_CRITERIA for p in scored.parts)


def score_parts(
    spec: MatchSpec, candidate: Candidate, rules: Rules, usage: Usage | None = None
) -> list[Part]:
    """The explanation: every criterion that earned points, in a fixed order."""
    usage = usage or usage_of(candidate, rules, spec.today)
    w = rules.weight
    raw = [
        ("industry", *industry_part(spec.industries, candidate.industry, w("industry"))),
        ("products", *products_part(spec.products, candidate.products, w("products"))),
        ("location", *location_part(spec.country, candidate.country, w("location"))),
        (
            "time_zone",
            *time_zone_part(
                spec.country,
                spec.activity_type,
                candidate.time_zone,
                candidate.country,
                w("time_zone"),
                spec.today,
            ),
        ),
        ("language", *language_part(spec.languages, candidate.languages, w("language"))),
        (
            "size",
            size_part(size_bin(spec.employees), size_bin(candidate.employees), w("size")),
            f"{candidate.employees:,} employees" if candidate.employees else "",
        ),
        ("topics", *topics_part(request_words(spec), candidate.topics, w("topics"))),
        (
            "competitor",
            *competitor_part(
                normalize_name(spec.competitor), candidate.competitors_displaced, w("competitor")
            ),
        ),
        (
            "satisfaction",
            *satisfaction_part(
                candidate.nps,
                candidate.nps_date,
                candidate.csat,
                candidate.csat_date,
                spec.today,
                w("satisfaction"),
            ),
        ),
        ("fairness", *fairness_part(usage.long_count, rules.long_window_days, w("fairness"))),
    ]
    return [Part(criterion, matched, points) for criterion, points, matched in raw if points > 0]


def total(parts: Iterable[Part]) -> float:
    """The score: the sum of the rounded parts, itself rounded to one decimal."""
    return round(sum(p.points for p in parts), 1)


def evaluate(
    spec: MatchSpec, candidate: Candidate, rules: Rules, *, on_open_request: bool = False
) -> Scored | list[Exclusion]:
    """A scored candidate, or the hard rules that exclude them."""
    usage = usage_of(candidate, rules, spec.today)
    broken = exclusions(spec, candidate, rules, usage)
    if broken:
        return broken
    parts = score_parts(spec, candidate, rules, usage)
    availability, available_from = availability_of(usage, on_open_request=on_open_request)
    return Scored(candidate, total(parts), tuple(parts), availability, available_from, usage)


def rank_key(scored: Scored) -> tuple:
    """Best first; at equal scores the less-used reference, then the older reference id."""
    return (-scored.score, scored.usage.long_count, scored.candidate.reference_id)


@dataclass
class Ranking:
    ranked: list[Scored]
    excluded: dict[int, list[Exclusion]]

    @property
    def excluded_by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for reasons in self.excluded.values():
            for rule in {e.rule for e in reasons}:
                counts[rule] = counts.get(rule, 0) + 1
        return dict(sorted(counts.items()))


def rank(
    spec: MatchSpec,
    candidates: Iterable[Candidate],
    rules: Rules,
    *,
    limit: int | None = None,
    busy: frozenset[int] = frozenset(),
) -> Ranking:
    """The naive ranking: evaluate every candidate, keep those that fit, sort, cut.

    `busy` are references already on another open request (shown as such, not excluded).
    The engine must agree with it exactly.
    """
    candidates = list(candidates)
    need_fit = asks_for_fit(spec, rules)
    ranked, excluded = [], {}
    for candidate in candidates:
        result = evaluate(spec, candidate, rules, on_open_request=candidate.reference_id in busy)
        if isinstance(result, Scored):
            if not need_fit or fits(result):
                ranked.append(result)
        else:
            excluded[candidate.reference_id] = result
    ranked.sort(key=rank_key)
    return Ranking(ranked[:limit] if limit else ranked, excluded)
