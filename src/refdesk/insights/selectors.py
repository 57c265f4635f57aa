"""The program's figures: each one aggregated in the database, with the rows behind it.

Every figure is a `Figure` (summary numbers, one table, a chart's series) computed by one
function over a `Period` (inclusive dates, UTC days). Nothing here loads the rows it counts:
counts, sums and Gini are GROUP BY / window queries; medians and p90s are PostgreSQL's
percentile aggregates, or on SQLite a histogram pass and a ROW_NUMBER over the buckets that hold
the ranks wanted; both follow the rules below and are tested to answer alike.

Speed (docs/benchmarks.md, bench/insights.py): figures that read the same rows share one pass
within a dashboard (`_once`), and the dashboard runs its figures on REFDESK_INSIGHTS_THREADS
connections at once. Where the two databases want different query shapes for the same rule
(PostgreSQL hash-joins, SQLite joins row by row) both are written out and tested.

Definitions (also shown on the page):
- median: the mean of the middle two values when there is an even number; p90: nearest rank,
  the value at rank ceil(0.9 n) in ascending order.
- turnaround runs from submission to candidates proposed, to fulfilled (enough references
  accepted) and to completed, for requests submitted in the period.
- fulfilment rate: requests that reached "fulfilled" ÷ those that did or that expired or were
  cancelled without it (withdrawn requests are the requester's choice and are left out).
- acceptance rate: invitations sent in the period that were accepted ÷ those answered.
- influenced: an opportunity with at least one completed activity on a request linked to it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from refdesk.activities.choices import PASSIVE_ACTIVITY_TYPES, ActivityStatus
from refdesk.activities.models import Activity
from refdesk.asks.choices import OPEN_REQUEST_STATUSES, CandidateStatus, RequestStatus
from refdesk.asks.models import ReferenceRequest, RequestCandidate
from refdesk.core import changes, geo
from refdesk.core.errors import Forbidden, InvalidInput, NotFound
from refdesk.growth.choices import NominationStatus
from refdesk.growth.models import Nomination
from refdesk.insights import permissions as perms
from refdesk.insights.choices import OpportunityStage
from refdesk.insights.models import Opportunity, RequestOpportunity
from refdesk.pool import naics
from refdesk.pool.choices import ActivityType, ReferenceStatus
from refdesk.pool.models import Account, Contact, NaicsIndustry, Product, ReferenceProfile
from refdesk.referrals.models import ReferralLead
from refdesk.rewards.choices import EntryKind
from refdesk.rewards.models import LedgerEntry

ZERO = Decimal("0.00")
EARLIEST = dt.date(2000, 1, 1)
MAX_DAYS = 3660  # ten years: longer ranges are a typo
DEFAULT_DAYS = 90
DUE_SOON = dt.timedelta(hours=72)
NOMINATION_WAIT = dt.timedelta(days=7)
ACCEPTANCE_WARNING = 50  # percent
TABLE_ROWS = 15  # rows of a segment table on the dashboard; the drill-down and exports have all


# --- the period --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Inclusive dates; as datetimes, [start_at, end_at) in UTC."""

    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(0), tzinfo=dt.UTC)

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _as_date(value: Any, name: str, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = f"{str(value)[:40]!r} is not a date (use YYYY-MM-DD)"
        return None


def period_parse(start: Any = None, end: Any = None, *, today: dt.date | None = None) -> Period:
    """A period from `from`/`to` (dates or ISO text); blank ends default to the last 90 days."""
    today = today or timezone.now().date()
    errors: dict[str, str] = {}
    start_d, end_d = _as_date(start, "from", errors), _as_date(end, "to", errors)
    if errors:
        raise InvalidInput(
            "Please correct the dates: " + "; ".join(f"{k} {v}" for k, v in errors.items()) + ".",
            details=errors,
        )
    end_d = end_d or today
    start_d = start_d or max(EARLIEST, end_d - dt.timedelta(days=DEFAULT_DAYS - 1))
    latest = today + dt.timedelta(days=366)
    if start_d < EARLIEST:
        errors["from"] = f"must be on or after {EARLIEST.isoformat()}"
    if end_d > latest:
        errors["to"] = f"must be on or before {latest.isoformat()} (a year from today)"
    if not errors and start_d > end_d:
        errors["from"] = "must be on or before 'to'"
    if not errors and (end_d - start_d).days >= MAX_DAYS:
        errors["to"] = f"must be within {MAX_DAYS} days of 'from'"
    if errors:
        raise InvalidInput(
            "Please correct the dates: " + "; ".join(f"{k} {v}" for k, v in errors.items()) + ".",
            details=errors,
        )
    return Period(start_d, end_d)


def month_period(day: dt.date) -> Period:
    """The calendar month that contains `day`."""
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period(first, last)


def require_read(user) -> None:
    if not perms.can_read(user):
        raise Forbidden("Insights are for program managers and executives.")


# --- intermediate results shared by several figures of one dashboard -----------------------------


class _Shared:
    """What several figures of one dashboard read (e.g. the request counts), computed once by whichever
    thread asks first; the others wait for it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._results: dict[Any, Future] = {}

    def get(self, key, compute: Callable[[], Any]) -> Any:
        with self._lock:
            future = self._results.get(key)
            mine = future is None
            if mine:
                future = self._results[key] = Future()
        if mine:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
                raise
        return future.result()


_shared: contextvars.ContextVar[_Shared | None] = contextvars.ContextVar(
    "insights_shared", default=None
)


def _once(key, compute: Callable[[], Any]) -> Any:
    """`compute()`, shared with the other figures of the dashboard being computed (if any)."""
    shared = _shared.get()
    return compute() if shared is None else shared.get(key, compute)


# Pieces that read many rows but change rarely (supply is the pool as it is now, usage the activity log)
# are remembered per process until a table they read changes (refdesk.core.changes stamps, one indexed
# query) or CACHE_MAX_AGE passes: writes that bypass save()/delete() are not seen before that.
CACHE_MAX_AGE = 600.0
_cache_lock = threading.Lock()


def cache_clear() -> None:
    """Forget every remembered piece and dashboard snapshot (tests; the benchmark's cold runs)."""
    changes.forget()
    with _cache_lock:
        _snapshots.clear()


def _remembered(key: tuple, models: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()`, or its last answer for `key` if none of `models` changed since (and it is not too old)."""
    return changes.remembered(("insights", *key), models, compute, max_age=CACHE_MAX_AGE)


def _pool_tables() -> tuple:
    return (ReferenceProfile, Contact, Account)


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _hours_sql(column: str, start: str = "submitted_at") -> str:
    """SQL for the hours from `start` to `column` as a float (the same values as `Hours`)."""
    if connection.vendor == "postgresql":
        return f"(date_part('epoch', {column} - {start}) / 3600.0)"
    return f"((julianday({column}) - julianday({start})) * 24.0)"


# --- figures -----------------------------------------------------------------------------------


@dataclass
class Figure:
    """One figure: what it is, its headline numbers, its table and the series its chart draws."""

    key: str
    title: str
    summary: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]
    chart: list[dict] = field(default_factory=list)  # {"label", "value", "value2"?, "flag"?}
    chart_kind: str = "bars"  # bars | pairs
    chart_unit: str = ""
    series: tuple[str, str] = ("", "")
    note: str = ""
    warning: str = ""

    def summary_labelled(self) -> list[tuple[str, Any]]:
        """The headline numbers with labels people read ("top10 share percent" -> "top10 share %")."""
        return [
            (k.replace("_percent", " %").replace("_", " ").capitalize(), v)
            for k, v in self.summary.items()
        ]

    def as_dict(self) -> dict:
        return {
            "key": self.key, "title": self.title, "summary": self.summary, "columns": self.columns,
            "rows": self.rows, "chart": self.chart, "note": self.note, "warning": self.warning,
        }  # fmt: skip


def _pct(part: int | Decimal, whole: int | Decimal) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * float(part) / float(whole), 1)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


def _ranks(n: int) -> tuple[list[int], list[int]]:
    """1-based ranks for the median (one or two) and the p90 (nearest rank) of n sorted values."""
    median = [(n + 1) // 2] if n % 2 else [n // 2, n // 2 + 1]
    return median, [max(1, math.ceil(0.9 * n))]


def _submitted(period: Period) -> QuerySet[ReferenceRequest]:
    return ReferenceRequest.objects.filter(
        submitted_at__gte=period.start_at, submitted_at__lt=period.end_at
    ).order_by()


MILESTONES = (
    ("candidates", "to candidates", "candidates_proposed_at"),
    ("accepted", "to accepted (fulfilled)", "fulfilled_at"),
    ("completed", "to completed", "completed_at"),
)


BUCKETS_PER_HOUR = (
    10  # histogram resolution of the turnaround ranks (any width gives the same answer)
)


def _milestone_hours(period: Period) -> tuple[str, list]:
    """SQL of (m, v, id): hours from submission to milestone m (1-based in MILESTONES) per request reaching it."""
    table = ReferenceRequest._meta.db_table
    bounds = [_db_time(period.start_at), _db_time(period.end_at)]
    parts = [
        f"SELECT {m} AS m, {_hours_sql(column)} AS v, id FROM {table} "
        f"WHERE submitted_at >= %s AND submitted_at < %s AND {column} IS NOT NULL"
        for m, (_, _, column) in enumerate(MILESTONES, start=1)
    ]
    return " UNION ALL ".join(parts), bounds * len(parts)


def _milestone_percentiles_pg(period: Period) -> dict[int, tuple[int, float | None, float | None]]:
    """PostgreSQL's ordered-set aggregates in one pass: percentile_cont(0.5) is the mean of the middle two,
    percentile_disc(0.9) the value at rank ceil(0.9 n), the same rules as `_ranks`."""
    columns = []
    for _, _, column in MILESTONES:
        hours = _hours_sql(column)
        columns += [f"COUNT({column})", f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {hours})",
                    f"percentile_disc(0.9) WITHIN GROUP (ORDER BY {hours})"]  # fmt: skip
    sql = f"SELECT {', '.join(columns)} FROM {ReferenceRequest._meta.db_table} WHERE submitted_at >= %s AND submitted_at < %s"
    row = _fetch(sql, [_db_time(period.start_at), _db_time(period.end_at)])[0]
    result = {}
    for m in range(1, len(MILESTONES) + 1):
        n, median, p90 = row[3 * (m - 1) : 3 * m]
        result[m] = (int(n), None, None) if not n else (int(n), round(median, 1), round(p90, 1))
    return result


def milestone_percentiles(period: Period) -> dict[int, tuple[int, float | None, float | None]]:
    """(n, median, p90) hours per milestone. SQLite has no percentile aggregate, so two passes that never
    sort every request: a histogram of the hours finds the bucket holding each wanted rank, then only
    those buckets' values are ranked."""
    if connection.vendor == "postgresql":
        return _milestone_percentiles_pg(period)
    union, params = _milestone_hours(period)
    bucket = f"CAST(v * {BUCKETS_PER_HOUR} AS INTEGER)"
    histogram: dict[int, list[tuple[int, int]]] = {}
    for m, b, n in _fetch(
        f"SELECT m, {bucket} AS b, COUNT(*) FROM ({union}) d GROUP BY m, b", params
    ):
        histogram.setdefault(m, []).append((b, n))
    wanted: list[tuple[int, int, int, int]] = []  # (m, rank, bucket, rank within the bucket)
    for m, buckets in histogram.items():
        buckets.sort()
        n = sum(count for _, count in buckets)
        median_ranks, p90_ranks = _ranks(n)
        for rank in sorted(set(median_ranks + p90_ranks)):
            seen = 0
            for b, count in buckets:
                if rank <= seen + count:
                    wanted.append((m, rank, b, rank - seen))
                    break
                seen += count
    values: dict[tuple[int, int, int], float] = {}
    if wanted:
        pairs = sorted({(m, b) for m, _, b, _ in wanted})
        where = " OR ".join(["(m = %s AND " + bucket + " = %s)"] * len(pairs))
        sql = (f"SELECT m, b, rn, v FROM (SELECT m, {bucket} AS b, v, ROW_NUMBER() OVER "
               f"(PARTITION BY m, {bucket} ORDER BY v, id) AS rn FROM ({union}) d WHERE {where}) ranked")  # fmt: skip
        for m, b, rn, v in _fetch(sql, params + [x for pair in pairs for x in pair]):
            values[(m, b, rn)] = v
    result = {}
    for m in range(1, len(MILESTONES) + 1):
        buckets = histogram.get(m, [])
        n = sum(count for _, count in buckets)
        if not n:
            result[m] = (0, None, None)
            continue
        by_rank = {rank: values[(mm, b, r)] for mm, rank, b, r in wanted if mm == m}
        median_ranks, p90_ranks = _ranks(n)
        median = sum(by_rank[r] for r in median_ranks) / len(median_ranks)
        result[m] = (n, round(median, 1), round(by_rank[p90_ranks[0]], 1))
    return result


def _request_counts(period: Period, now: dt.datetime) -> dict[str, int]:
    """One pass over the requests submitted in the period: totals, SLA, fulfilment and each status."""

    def compute():
        cand_decided = Q(candidates_due_at__isnull=False) & (
            Q(candidates_proposed_at__isnull=False) | Q(candidates_due_at__lt=now)
        )
        acc_decided = Q(acceptance_due_at__isnull=False) & (
            Q(fulfilled_at__isnull=False) | Q(acceptance_due_at__lt=now)
        )
        per_status = {f"status_{s}": Count("pk", filter=Q(status=s)) for s in RequestStatus.values}
        return _submitted(period).aggregate(
            total=Count("pk"),
            fulfilled=Count("pk", filter=Q(fulfilled_at__isnull=False)),
            failed=Count("pk", filter=Q(fulfilled_at__isnull=True, status__in=[RequestStatus.EXPIRED, RequestStatus.CANCELLED])),
            cand_due=Count("pk", filter=cand_decided),
            cand_met=Count("pk", filter=Q(candidates_due_at__isnull=False, candidates_proposed_at__lte=F("candidates_due_at"))),
            acc_due=Count("pk", filter=acc_decided),
            acc_met=Count("pk", filter=Q(acceptance_due_at__isnull=False, fulfilled_at__lte=F("acceptance_due_at"))),
            **per_status,
        )  # fmt: skip

    return _once(("requests", period, now), compute)


def turnaround(period: Period, *, now: dt.datetime) -> Figure:
    """Median and p90 hours from submission to candidates, to accepted, to completed."""
    found = milestone_percentiles(period)
    rows, chart = [], []
    summary: dict[str, Any] = {"requests": _request_counts(period, now)["total"]}
    for m, (key, label, _column) in enumerate(MILESTONES, start=1):
        n, median, p90 = found[m]
        rows.append([label, n, median, p90])
        summary[f"{key}_median_hours"], summary[f"{key}_p90_hours"], summary[f"{key}_reached"] = (
            median,
            p90,
            n,
        )
        chart.append({"label": label, "value": median, "value2": p90})
    return Figure(
        "turnaround", "Request turnaround", summary, ["Milestone", "Requests", "Median (h)", "p90 (h)"], rows, chart,
        chart_kind="pairs", chart_unit="h", series=("median", "p90"),
        note="Hours from submission, for requests submitted in the period that reached the milestone.",
    )  # fmt: skip


def sla(period: Period, *, now: dt.datetime) -> Figure:
    """How many requests met their candidates and acceptance targets (among those already decided)."""
    agg = _request_counts(period, now)
    rows = [
        [
            "Candidates proposed on time",
            agg["cand_due"],
            agg["cand_met"],
            _pct(agg["cand_met"], agg["cand_due"]),
        ],
        [
            "Reference accepted on time",
            agg["acc_due"],
            agg["acc_met"],
            _pct(agg["acc_met"], agg["acc_due"]),
        ],
    ]
    summary = {
        "candidates_due": agg["cand_due"], "candidates_met": agg["cand_met"], "candidates_percent": rows[0][3],
        "acceptance_due": agg["acc_due"], "acceptance_met": agg["acc_met"], "acceptance_percent": rows[1][3],
    }  # fmt: skip
    return Figure(
        "sla", "SLA compliance", summary, ["Target", "Decided", "Met", "Met %"], rows,
        [{"label": r[0], "value": r[3]} for r in rows], chart_unit="%",
        note="Requests submitted in the period whose target has passed or was reached; met = reached by the due time.",
    )  # fmt: skip


def fulfilment(period: Period, *, now: dt.datetime) -> Figure:
    """Requests that reached 'fulfilled' against those that expired or were cancelled without it."""
    agg = _request_counts(period, now)
    rows = [[RequestStatus(s).label, agg[f"status_{s}"]] for s in RequestStatus.values]
    rate = _pct(agg["fulfilled"], agg["fulfilled"] + agg["failed"])
    summary = {
        "requests": agg["total"],
        "fulfilled": agg["fulfilled"],
        "unfulfilled": agg["failed"],
        "rate_percent": rate,
    }
    return Figure(
        "fulfilment", "Fulfilment rate", summary, ["Status now", "Requests"], rows,
        [{"label": r[0], "value": r[1]} for r in rows],
        note="Fulfilled ÷ (fulfilled + expired or cancelled without being fulfilled); withdrawn requests are left out.",
    )  # fmt: skip


def _accepted_q() -> Q:
    return Q(responded_at__isnull=False) & ~Q(status=CandidateStatus.REFERENCE_DECLINED)


def acceptance(period: Period, *, now: dt.datetime) -> Figure:
    """Invitations sent in the period: accepted ÷ answered, by activity type, with a warning under 50 %."""
    base = RequestCandidate.objects.filter(
        invited_at__gte=period.start_at, invited_at__lt=period.end_at
    ).order_by()
    grouped = base.values_list("request__activity_type").annotate(
        invited=Count("pk"), accepted=Count("pk", filter=_accepted_q()),
        declined=Count("pk", filter=Q(status=CandidateStatus.REFERENCE_DECLINED)),
    ).order_by("request__activity_type")  # fmt: skip
    rows, totals = [], [0, 0, 0]
    labels = dict(ActivityType.choices)
    for kind, invited, accepted, declined in grouped:
        rows.append([labels.get(kind, kind), invited, accepted, declined, _pct(accepted, accepted + declined)])
        totals = [totals[0] + invited, totals[1] + accepted, totals[2] + declined]
    rate = _pct(totals[1], totals[1] + totals[2])
    warning = (
        f"Only {rate} % of invitations answered were accepted (below {ACCEPTANCE_WARNING} %)."
        if rate is not None and rate < ACCEPTANCE_WARNING
        else ""
    )
    summary = {
        "invited": totals[0],
        "accepted": totals[1],
        "declined": totals[2],
        "rate_percent": rate,
    }
    chart = [
        {"label": r[0], "value": r[4], "flag": r[4] is not None and r[4] < ACCEPTANCE_WARNING}
        for r in rows
    ]
    return Figure(
        "acceptance", "Acceptance of invitations", summary, ["Activity type", "Invited", "Accepted", "Declined", "Accepted %"], rows,
        chart, chart_unit="%", warning=warning, note="Invitations sent in the period; accepted ÷ (accepted + declined).",
    )  # fmt: skip


def _due_soon_qs(now: dt.datetime) -> QuerySet[ReferenceRequest]:
    return ReferenceRequest.objects.filter(
        status__in=list(OPEN_REQUEST_STATUSES),
        needed_by__isnull=False,
        needed_by__gte=now.date(),
        needed_by__lte=(now + DUE_SOON).date(),
    )


def due_soon(period: Period, *, now: dt.datetime) -> Figure:
    """Open requests needed within the next 72 hours (as of now, whatever the period)."""
    qs = _due_soon_qs(now).order_by("needed_by", "pk")
    rows = [
        [r[0], r[1], RequestStatus(r[2]).label, r[3].isoformat()]
        for r in qs.values_list("pk", "prospect", "status", "needed_by")[:TABLE_ROWS]
    ]
    by_day = dict(qs.values_list("needed_by").annotate(n=Count("pk")).order_by())
    chart = [
        {"label": d.isoformat(), "value": by_day.get(d, 0)}
        for d in (now.date() + dt.timedelta(days=i) for i in range(4))
    ]
    return Figure("due_soon", "Requests due in the next 72 hours", {"requests": sum(by_day.values())}, ["Request", "Prospect", "Status", "Needed by"],
                  rows, chart, note="Open requests whose needed-by date falls within the next 72 hours.")  # fmt: skip


def _waiting_nominations(now: dt.datetime) -> QuerySet[Nomination]:
    return Nomination.objects.filter(
        status=NominationStatus.SUBMITTED, created_at__lt=now - NOMINATION_WAIT
    )


def nominations_waiting(period: Period, *, now: dt.datetime) -> Figure:
    """Nominations awaiting review for more than seven days (as of now)."""
    qs = _waiting_nominations(now).order_by("created_at", "pk")
    rows = [[r[0], r[1], r[2], r[3].date().isoformat(), (now - r[3]).days]
            for r in qs.values_list("pk", "contact__account__name", "nominator__email", "created_at")[:TABLE_ROWS]]  # fmt: skip
    buckets = qs.aggregate(
        w1=Count("pk", filter=Q(created_at__gte=now - dt.timedelta(days=14))),
        w2=Count(
            "pk",
            filter=Q(
                created_at__lt=now - dt.timedelta(days=14),
                created_at__gte=now - dt.timedelta(days=30),
            ),
        ),
        w3=Count("pk", filter=Q(created_at__lt=now - dt.timedelta(days=30))),
    )
    chart = [{"label": "8–14 days", "value": buckets["w1"]}, {"label": "15–30 days", "value": buckets["w2"]},
             {"label": "over 30 days", "value": buckets["w3"], "flag": bool(buckets["w3"])}]  # fmt: skip
    return Figure("nominations_waiting", "Nominations waiting over 7 days", {"nominations": sum(buckets.values())},
                  ["Nomination", "Account", "Nominated by", "Since", "Days waiting"], rows, chart,
                  note="Nominations still awaiting a program manager's review a week after they were made.")  # fmt: skip


# --- supply against demand -----------------------------------------------------------------------


def _supply() -> QuerySet[ReferenceProfile]:
    return ReferenceProfile.objects.filter(
        status=ReferenceStatus.ACTIVE, opted_out=False, contact__account__matching_blocked=False
    ).order_by()


def _region_of(country: str) -> str:
    """The sales region of a country code ("(none)" when blank, "Other" when in no region)."""
    if not country:
        return "(none)"
    for region, members in geo.REGIONS.items():
        if country in members:
            return region
    return "Other"


def _sector_country_demand(period: Period) -> dict[tuple[str, str], int]:
    """Requests submitted in the period per (NAICS sector, country): one pass for both segmentations."""

    def compute():
        grouped = (
            _submitted(period).annotate(k=Coalesce(Substr("industry_id", 1, 2), Value("—")))
            .values_list("k", "country").annotate(n=Count("pk"))
        )  # fmt: skip
        return {(k, country): n for k, country, n in grouped}

    return _once(("demand", period), compute)


def _sector_country_supply() -> dict[tuple[str, str], int]:
    """Active references per (NAICS sector, country) of their account, now."""

    def compute():
        grouped = (
            _supply().annotate(k=Coalesce(Substr("contact__account__industry_id", 1, 2), Value("—")))
            .values_list("k", "contact__account__country").annotate(n=Count("pk"))
        )  # fmt: skip
        return {(k, country): n for k, country, n in grouped}

    return _once(("supply",), lambda: _remembered(("supply",), _pool_tables(), compute))


def _regroup(counts: dict[tuple[str, str], int], key: Callable[[str, str], str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for (sector, country), n in counts.items():
        k = key(sector, country)
        out[k] = out.get(k, 0) + n
    return out


def _sector_titles() -> dict[str, str]:
    return dict(NaicsIndustry.objects.filter(level=2).values_list("code", "title"))


def _db_time(value: dt.datetime):
    # Raw SQL gets datetimes as the ORM stores them (SQLite compares them as text).
    return connection.ops.adapt_datetimefield_value(value)


def _demand_products(period: Period) -> dict[str, int]:
    """Requests per product named on them (products are a JSON list on the request)."""
    table = ReferenceRequest._meta.db_table
    if connection.vendor == "postgresql":
        sql = (f"SELECT j.value, COUNT(*) FROM {table} r CROSS JOIN LATERAL jsonb_array_elements_text("
               f"CASE WHEN jsonb_typeof(r.products) = 'array' THEN r.products ELSE '[]'::jsonb END) AS j(value) "
               f"WHERE r.submitted_at >= %s AND r.submitted_at < %s GROUP BY j.value")  # fmt: skip
    else:
        sql = (f"SELECT j.value, COUNT(*) FROM {table} r, json_each(CASE WHEN json_type(r.products) = 'array' "
               f"THEN r.products ELSE '[]' END) AS j WHERE r.submitted_at >= %s AND r.submitted_at < %s GROUP BY j.value")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [_db_time(period.start_at), _db_time(period.end_at)])
        return {str(k): n for k, n in cursor.fetchall()}


def _segments(
    key: str,
    title: str,
    demand: dict[str, int],
    supply: dict[str, int],
    labels: dict[str, str] | None = None,
) -> Figure:
    labels = labels or {}
    keys = sorted(
        set(demand) | set(supply), key=lambda k: (-demand.get(k, 0), -supply.get(k, 0), k)
    )
    rows, gaps = [], 0
    for k in keys:
        d, s = demand.get(k, 0), supply.get(k, 0)
        gap = d > s
        gaps += gap
        rows.append([labels.get(k, k), d, s, round(s / d, 2) if d else None, "gap" if gap else ""])
    chart = [
        {"label": r[0], "value": r[1], "value2": r[2], "flag": r[4] == "gap"}
        for r in rows[:TABLE_ROWS]
    ]
    summary = {
        "segments": len(rows),
        "gaps": gaps,
        "demand": sum(demand.values()),
        "supply": sum(supply.values()),
    }
    return Figure(
        key, title, summary, ["Segment", "Requests", "Active references", "References per request", "Gap"], rows, chart,
        chart_kind="pairs", series=("requests", "references"),
        note="Requests submitted in the period against active references available now; a gap is fewer references than requests.",
    )  # fmt: skip


def supply_industry(period: Period, *, now: dt.datetime) -> Figure:
    """Demand and supply by NAICS sector (the first two digits of the industry code; those of a
    sector NAICS writes as a range, such as 31, 32 and 33, counted under it: "31-33 Manufacturing")."""
    by_sector = lambda prefix, _country: prefix if prefix == "—" else naics.sector_of(prefix)  # noqa: E731
    demand = _regroup(_sector_country_demand(period), by_sector)
    supply = _regroup(_sector_country_supply(), by_sector)
    titles = {code: f"{code} {title}" for code, title in _sector_titles().items()}
    titles["—"] = "(no industry)"
    return _segments("supply_industry", "Supply and demand by industry", demand, supply, titles)


def _product_supply() -> dict[str, int]:
    """Active references per product their account uses (accounts first, so no DISTINCT is needed)."""
    return _remembered(("product_supply",), _pool_tables(), _product_supply_compute)


def _product_supply_compute() -> dict[str, int]:
    p, c, a = ReferenceProfile._meta.db_table, Contact._meta.db_table, Account._meta.db_table
    through, product = Account.products.through._meta.db_table, Product._meta.db_table
    sql = (
        f"WITH per_account AS (SELECT c.account_id, COUNT(*) AS n FROM {p} r JOIN {c} c ON c.id = r.contact_id "
        f"JOIN {a} a ON a.id = c.account_id WHERE r.status = %s AND r.opted_out = %s "
        f"AND a.matching_blocked = %s GROUP BY c.account_id) "
        f"SELECT pr.name, SUM(pa.n) FROM per_account pa JOIN {through} t ON t.account_id = pa.account_id "
        f"JOIN {product} pr ON pr.id = t.product_id GROUP BY pr.name"
    )
    return {name: int(n) for name, n in _fetch(sql, [ReferenceStatus.ACTIVE, False, False])}


def supply_product(period: Period, *, now: dt.datetime) -> Figure:
    """Demand by product named on requests; supply by active references whose account uses the product."""
    return _segments(
        "supply_product",
        "Supply and demand by product",
        _demand_products(period),
        _product_supply(),
    )


def supply_region(period: Period, *, now: dt.datetime) -> Figure:
    """Demand and supply by sales region (countries grouped as salespeople group them)."""
    by_region = lambda _sector, country: _region_of(country)  # noqa: E731
    demand = _regroup(_sector_country_demand(period), by_region)
    supply = _regroup(_sector_country_supply(), by_region)
    return _segments("supply_region", "Supply and demand by region", demand, supply)


# --- usage concentration and fatigue -------------------------------------------------------------

BUCKETS = (
    (0, 0, "0"),
    (1, 1, "1"),
    (2, 2, "2"),
    (3, 5, "3–5"),
    (6, 10, "6–10"),
    (11, None, "over 10"),
)


def _usage_cte(period: Period) -> tuple[str, list]:
    """Counted, completed activities in the period per reference: every active reference and every one used."""
    a, r = Activity._meta.db_table, ReferenceProfile._meta.db_table
    passive = sorted(PASSIVE_ACTIVITY_TYPES)
    marks = ", ".join(["%s"] * len(passive))
    sql = (
        f"WITH used AS (SELECT reference_id AS rid, COUNT(*) AS n FROM {a} WHERE status = %s AND occurred_at >= %s "
        f"AND occurred_at < %s AND activity_type NOT IN ({marks}) GROUP BY reference_id), "
        f"counts AS (SELECT p.id AS rid, COALESCE(u.n, 0) AS n FROM {r} p LEFT JOIN used u ON u.rid = p.id "
        f"WHERE p.status = %s OR u.n IS NOT NULL)"
    )
    return sql, [
        ActivityStatus.COMPLETED,
        _db_time(period.start_at),
        _db_time(period.end_at),
        *passive,
        ReferenceStatus.ACTIVE,
    ]


def _usage_stats(period: Period) -> tuple[dict, list[list]]:
    """References, activities, the busiest 10 %'s share, Gini and the distribution over BUCKETS, in one query."""
    found = _remembered(
        ("usage", period), (Activity, ReferenceProfile), lambda: _usage_stats_compute(period)
    )
    return dict(found[0]), [list(row) for row in found[1]]


def _usage_stats_compute(period: Period) -> tuple[dict, list[list]]:
    cte, params = _usage_cte(period)
    buckets = ", ".join(
        f"COALESCE(SUM(CASE WHEN n >= {lo}"
        + (f" AND n <= {hi}" if hi is not None else "")
        + " THEN 1 ELSE 0 END), 0)"
        for lo, hi, _ in BUCKETS
    )
    sql = (
        f"{cte}, ranked AS (SELECT n, ROW_NUMBER() OVER (ORDER BY n, rid) AS i, "
        f"ROW_NUMBER() OVER (ORDER BY n DESC, rid) AS d, COUNT(*) OVER () AS total FROM counts) "
        f"SELECT COUNT(*), COALESCE(SUM(n), 0), COALESCE(SUM(i * n), 0), "
        f"COALESCE(SUM(CASE WHEN (d - 1) * 10 < total THEN n ELSE 0 END), 0), {buckets} FROM ranked"
    )
    n, total, weighted, top, *in_buckets = (int(v) for v in _fetch(sql, params)[0])
    gini = round(2 * weighted / (n * total) - (n + 1) / n, 3) if n and total else None
    numbers = {"references": n, "activities": total, "top10_count": math.ceil(n / 10) if n else 0,
               "top10_share_percent": _pct(top, total), "gini": gini}  # fmt: skip
    return numbers, [
        [label, count] for (_, _, label), count in zip(BUCKETS, in_buckets, strict=True)
    ]


def usage_numbers(period: Period) -> dict:
    """References, activities, the busiest 10 %'s share and the Gini coefficient."""
    return _usage_stats(period)[0]


def fatigued_count(period: Period) -> tuple[int, int | None, int]:
    """Active references at the reference-call short-window cap as of the period's end: (count, cap, window days)."""
    from refdesk.activities.selectors import fatigue_rules

    rule = fatigue_rules().get("reference_call")
    if rule is None or not rule.short_cap:
        return 0, None, 0
    since = period.end_at - dt.timedelta(days=rule.short_window_days)
    qs = (
        Activity.objects.filter(status=ActivityStatus.COMPLETED, occurred_at__gte=since, occurred_at__lt=period.end_at,
                                reference__status=ReferenceStatus.ACTIVE)
        .exclude(activity_type__in=PASSIVE_ACTIVITY_TYPES).order_by()
        .values("reference_id").annotate(n=Count("pk")).filter(n__gte=rule.short_cap)
    )  # fmt: skip
    n = _remembered(
        ("fatigued", period.end, rule.short_cap, rule.short_window_days),
        (Activity, ReferenceProfile),
        qs.count,
    )
    return n, rule.short_cap, rule.short_window_days


def usage(period: Period, *, now: dt.datetime) -> Figure:
    """How evenly the work is spread: the busiest 10 %'s share, Gini, the distribution, and who is at their cap."""
    summary, rows = _usage_stats(period)
    fatigued, cap, window = fatigued_count(period)
    summary.update(fatigued=fatigued, fatigue_cap=cap, fatigue_window_days=window)
    warning = (
        f"{fatigued} active references are at their cap ({cap} in {window} days)."
        if fatigued
        else ""
    )
    return Figure(
        "usage", "Usage concentration and fatigue", summary, ["Activities in the period", "References"], rows,
        [{"label": r[0], "value": r[1], "flag": r[0] == "0"} for r in rows], warning=warning,
        note="Completed activities that take the person's time (not logo or quote uses), per active or used reference. "
        "Gini 0 = evenly spread, 1 = one reference does everything.",
    )  # fmt: skip


# --- return on references -------------------------------------------------------------------------


def _influenced():
    """Whether an opportunity has a completed activity on a request linked to it (one hashed set, not a lookup per row)."""
    done = Activity.objects.filter(
        request_id=OuterRef("request_id"), status=ActivityStatus.COMPLETED
    )
    linked = RequestOpportunity.objects.filter(Exists(done)).values("opportunity_id")
    return ExpressionWrapper(Q(pk__in=linked), output_field=BooleanField())


def influence(period: Period, *, now: dt.datetime) -> Figure:
    """Open pipeline and closed-won revenue with and without a completed reference, and the win rates."""
    closed_in = Q(closed_on__gte=period.start, closed_on__lte=period.end)
    won, lost, open_ = (
        Q(stage=OpportunityStage.WON),
        Q(stage=OpportunityStage.LOST),
        Q(stage=OpportunityStage.OPEN, created_on__lte=period.end),
    )
    grouped = (
        Opportunity.objects.order_by().annotate(influenced=_influenced()).values("influenced")
        .annotate(
            open_n=Count("pk", filter=open_), pipeline=Sum("amount", filter=open_),
            won_n=Count("pk", filter=won & closed_in), revenue=Sum("amount", filter=won & closed_in),
            lost_n=Count("pk", filter=lost & closed_in),
        )
    )  # fmt: skip
    by = {bool(g["influenced"]): g for g in grouped}
    rows, summary = [], {}
    for flag, label, prefix in ((True, "With a reference", "with"), (False, "Without", "without")):
        g = by.get(flag, {})
        open_n, won_n, lost_n = g.get("open_n", 0), g.get("won_n", 0), g.get("lost_n", 0)
        pipeline, revenue = _money(g.get("pipeline")), _money(g.get("revenue"))
        rate = _pct(won_n, won_n + lost_n)
        rows.append([label, open_n, pipeline, won_n, revenue, lost_n, rate])
        summary.update({f"{prefix}_open": open_n, f"{prefix}_pipeline": pipeline, f"{prefix}_won": won_n,
                        f"{prefix}_revenue": revenue, f"{prefix}_lost": lost_n, f"{prefix}_win_rate_percent": rate})  # fmt: skip
    summary["influenced_pipeline"], summary["influenced_revenue"] = (
        summary["with_pipeline"],
        summary["with_revenue"],
    )
    chart = [{"label": r[0], "value": r[6]} for r in rows]
    return Figure(
        "influence", "Influenced pipeline and revenue", summary,
        ["Opportunities", "Open", "Open pipeline", "Won", "Won revenue", "Lost", "Win rate %"], rows, chart, chart_unit="%",
        note="Influenced: at least one completed reference activity on a request linked to the opportunity. Won and lost: "
        "closed in the period; open: created by the period's end and still open.",
    )  # fmt: skip


def referrals(period: Period, *, now: dt.datetime) -> Figure:
    """Referral leads received in the period, won and revenue, by source."""
    from refdesk.referrals.choices import LeadSource, LeadStage

    grouped = (
        ReferralLead.objects.filter(received_on__gte=period.start, received_on__lte=period.end).order_by().values_list("source")
        .annotate(n=Count("pk"), won=Count("pk", filter=Q(stage=LeadStage.WON)), lost=Count("pk", filter=Q(stage=LeadStage.LOST)),
                  revenue=Sum("amount", filter=Q(stage=LeadStage.WON)))
    )  # fmt: skip
    found = {g[0]: g for g in grouped}
    rows = []
    for source in LeadSource.values:
        _, n, won_n, lost_n, revenue = found.get(source, (source, 0, 0, 0, None))
        rows.append(
            [
                LeadSource(source).label,
                n,
                won_n,
                lost_n,
                _pct(won_n, won_n + lost_n),
                _money(revenue),
            ]
        )
    summary = {
        "leads": sum(r[1] for r in rows),
        "won": sum(r[2] for r in rows),
        "revenue": sum((r[5] for r in rows), ZERO),
    }
    return Figure(
        "referrals", "Referral leads and revenue by source", summary, ["Source", "Leads", "Won", "Lost", "Closure %", "Revenue"], rows,
        [{"label": r[0], "value": r[1], "value2": r[2]} for r in rows], chart_kind="pairs", series=("leads", "won"),
        note="Leads received in the period; closure = won ÷ (won + lost); revenue from those won.",
    )  # fmt: skip


def points(period: Period, *, now: dt.datetime) -> Figure:
    """Points issued, redeemed and expired in the period, and outstanding at its end, for references and salespeople."""
    # Summed per holder first (an index-only pass), then per kind of holder: one holder lookup per holder, not per entry.
    ledger, holders = (
        LedgerEntry._meta.db_table,
        LedgerEntry._meta.get_field("holder").related_model._meta.db_table,
    )
    sql = (
        f"WITH per_holder AS (SELECT holder_id, "
        f"SUM(CASE WHEN at >= %s AND kind = %s THEN points ELSE 0 END) AS issued, "
        f"SUM(CASE WHEN at >= %s AND kind = %s THEN points ELSE 0 END) AS redeemed, "
        f"SUM(CASE WHEN at >= %s AND kind = %s THEN points ELSE 0 END) AS expired, "
        f"SUM(points) AS outstanding FROM {ledger} WHERE at < %s GROUP BY holder_id) "
        f"SELECT CASE WHEN h.reference_id IS NOT NULL THEN 'references' ELSE 'salespeople' END AS k, "
        f"SUM(issued), SUM(redeemed), SUM(expired), SUM(outstanding) FROM per_holder JOIN {holders} h ON h.id = per_holder.holder_id "
        f"GROUP BY k"
    )  # fmt: skip
    start = _db_time(period.start_at)
    grouped = _fetch(
        sql,
        [
            start,
            EntryKind.EARN,
            start,
            EntryKind.REDEEM,
            start,
            EntryKind.EXPIRE,
            _db_time(period.end_at),
        ],
    )
    found = {g[0]: g for g in grouped}
    rows = []
    for who in ("references", "salespeople"):
        _, issued, redeemed, expired, outstanding = found.get(who, (who, 0, 0, 0, 0))
        rows.append(
            [who.capitalize(), int(issued), -int(redeemed), -int(expired), int(outstanding)]
        )
    summary = {
        k: sum(r[i] for r in rows)
        for i, k in ((1, "issued"), (2, "redeemed"), (3, "expired"), (4, "outstanding"))
    }
    chart = [
        {"label": label, "value": summary[key]}
        for key, label in (
            ("issued", "Issued"),
            ("redeemed", "Redeemed"),
            ("expired", "Expired"),
            ("outstanding", "Outstanding"),
        )
    ]
    return Figure("points", "Reward points", summary, ["Holders", "Issued", "Redeemed", "Expired", "Outstanding at the end"], rows, chart,
                  note="Issued, redeemed and expired in the period; outstanding = the balance owed at the period's end.")  # fmt: skip


def nominations(period: Period, *, now: dt.datetime) -> Figure:
    """Nominations made in the period, by salesperson: made, accepted, declined, waiting."""
    grouped = (
        Nomination.objects.filter(created_at__gte=period.start_at, created_at__lt=period.end_at).order_by()
        .values_list("nominator__email")
        .annotate(n=Count("pk"), accepted=Count("pk", filter=Q(status=NominationStatus.ACCEPTED)),
                  declined=Count("pk", filter=Q(status=NominationStatus.DECLINED)),
                  waiting=Count("pk", filter=Q(status=NominationStatus.SUBMITTED)))
        .order_by("-n", "nominator__email")
    )  # fmt: skip
    rows = [list(g) for g in grouped]
    summary = {
        "nominations": sum(r[1] for r in rows),
        "salespeople": len(rows),
        "accepted": sum(r[2] for r in rows),
    }
    return Figure("nominations", "Nominations by salesperson", summary, ["Salesperson", "Nominated", "Accepted", "Declined", "Waiting"],
                  rows[:TABLE_ROWS], [{"label": r[0], "value": r[1], "value2": r[2]} for r in rows[:TABLE_ROWS]],
                  chart_kind="pairs", series=("nominated", "accepted"), note="Nominations made in the period.")  # fmt: skip


def _declines_qs(period: Period):
    return (
        RequestCandidate.objects.filter(approval_requested_at__gte=period.start_at, approval_requested_at__lt=period.end_at).order_by()
        .values_list("reference__contact__account_id", "reference__contact__account__name", "reference__contact__account__owner__email")
        .annotate(asked=Count("pk"), declined=Count("pk", filter=Q(status=CandidateStatus.OWNER_DECLINED)),
                  approved=Count("pk", filter=Q(approved_at__isnull=False)))
        .filter(declined__gt=0)
        .order_by("-declined", "-asked", "reference__contact__account__name", "reference__contact__account_id")
    )  # fmt: skip


def _declines_top(period: Period) -> tuple[dict[str, int], list[tuple]]:
    """Totals of owner approvals asked in the period and the accounts declining most, in one query."""
    rc, p, c = (
        RequestCandidate._meta.db_table,
        ReferenceProfile._meta.db_table,
        Contact._meta.db_table,
    )
    acc, u = Account._meta.db_table, Account._meta.get_field("owner").related_model._meta.db_table
    sql = (
        f"WITH per_account AS (SELECT c.account_id, COUNT(*) AS asked, "
        f"SUM(CASE WHEN rc.status = %s THEN 1 ELSE 0 END) AS declined, "
        f"SUM(CASE WHEN rc.approved_at IS NOT NULL THEN 1 ELSE 0 END) AS approved FROM {rc} rc "
        f"JOIN {p} p ON p.id = rc.reference_id JOIN {c} c ON c.id = p.contact_id "
        f"WHERE rc.approval_requested_at >= %s AND rc.approval_requested_at < %s GROUP BY c.account_id), "
        f"totals AS (SELECT account_id, asked, declined, approved, SUM(asked) OVER () AS all_asked, "
        f"SUM(declined) OVER () AS all_declined, SUM(CASE WHEN declined > 0 THEN 1 ELSE 0 END) OVER () AS declining "
        f"FROM per_account) "
        f"SELECT t.all_asked, t.all_declined, t.declining, acc.name, u.email, t.asked, t.declined, t.approved "
        f"FROM totals t JOIN {acc} acc ON acc.id = t.account_id LEFT JOIN {u} u ON u.id = acc.owner_id "
        f"ORDER BY t.declined DESC, t.asked DESC, acc.name, t.account_id LIMIT {TABLE_ROWS}"
    )  # fmt: skip
    found = _fetch(
        sql, [CandidateStatus.OWNER_DECLINED, _db_time(period.start_at), _db_time(period.end_at)]
    )
    totals = {"asked": 0, "declined": 0, "declining": 0}
    if found:
        totals = {
            "asked": int(found[0][0]),
            "declined": int(found[0][1]),
            "declining": int(found[0][2]),
        }
    return totals, [row[3:] for row in found if row[6] > 0]


def declines(period: Period, *, now: dt.datetime) -> Figure:
    """Accounts whose owner declines approvals most: asked, declined, approved, decline rate."""
    totals, top = _declines_top(period)
    rows = [
        [name, owner or "—", int(asked), int(declined), int(approved), _pct(declined, asked)]
        for name, owner, asked, declined, approved in top
    ]
    summary = {"approvals_asked": totals["asked"], "declined": totals["declined"], "decline_percent": _pct(totals["declined"], totals["asked"]),
               "accounts_declining": totals["declining"]}  # fmt: skip
    return Figure("declines", "Sharing: owners declining approvals", summary, ["Account", "Owner", "Asked", "Declined", "Approved", "Declined %"],
                  rows, [{"label": r[0], "value": r[3], "flag": (r[5] or 0) >= 50} for r in rows],
                  note="Owner approvals asked in the period, by account, most declines first.")  # fmt: skip


def _own_deals_qs(period: Period):
    return (
        Activity.objects.filter(status=ActivityStatus.COMPLETED, occurred_at__gte=period.start_at, occurred_at__lt=period.end_at,
                                request__isnull=False).order_by()
        .values_list("reference_id", "reference__contact__name", "reference__contact__account__name", "reference__contact__account__owner__email")
        .annotate(uses=Count("pk"), own=Count("pk", filter=Q(request__requester_id=F("reference__contact__account__owner_id"))))
        .filter(uses=F("own"))
        .order_by("-uses", "reference__contact__account__name", "reference_id")
    )  # fmt: skip


def _own_deals_top(period: Period) -> tuple[int, list[tuple]]:
    """(how many references, the first TABLE_ROWS of them) used only in their owner's deals, in one query."""
    a, r, p = (
        Activity._meta.db_table,
        ReferenceRequest._meta.db_table,
        ReferenceProfile._meta.db_table,
    )
    c, acc, u = (
        Contact._meta.db_table,
        Account._meta.db_table,
        Account._meta.get_field("owner").related_model._meta.db_table,
    )
    done = (
        "a.request_id IS NOT NULL AND a.status = %s AND a.occurred_at >= %s AND a.occurred_at < %s"
    )
    if connection.vendor == "postgresql":
        # Hash joins: each activity meets its request's requester and its reference's owner once.
        per_ref = (
            f"owners AS (SELECT p.id AS rid, acc.owner_id FROM {p} p JOIN {c} c ON c.id = p.contact_id JOIN {acc} acc ON acc.id = c.account_id), "
            f"per_ref AS (SELECT a.reference_id AS rid, COUNT(*) AS uses, SUM(CASE WHEN r.requester_id = o.owner_id THEN 1 ELSE 0 END) AS own "
            f"FROM {a} a JOIN {r} r ON r.id = a.request_id JOIN owners o ON o.rid = a.reference_id WHERE {done} GROUP BY a.reference_id)"
        )  # fmt: skip
    else:
        # SQLite joins row by row: count per (reference, requester) first, then look each pair's owner up once.
        per_ref = (
            f"pairs AS (SELECT a.reference_id AS rid, r.requester_id AS uid, COUNT(*) AS n FROM {a} a "
            f"JOIN {r} r ON r.id = a.request_id WHERE {done} GROUP BY a.reference_id, r.requester_id), "
            f"per_ref AS (SELECT pairs.rid, SUM(pairs.n) AS uses, SUM(CASE WHEN pairs.uid = acc.owner_id THEN pairs.n ELSE 0 END) AS own "
            f"FROM pairs JOIN {p} p ON p.id = pairs.rid JOIN {c} c ON c.id = p.contact_id JOIN {acc} acc ON acc.id = c.account_id "
            f"GROUP BY pairs.rid)"
        )  # fmt: skip
    sql = (
        f"WITH {per_ref}, own_only AS (SELECT rid, uses, COUNT(*) OVER () AS total FROM per_ref WHERE uses = own) "
        f"SELECT o.total, o.rid, c.name, acc.name, u.email, o.uses FROM own_only o JOIN {p} p ON p.id = o.rid "
        f"JOIN {c} c ON c.id = p.contact_id JOIN {acc} acc ON acc.id = c.account_id LEFT JOIN {u} u ON u.id = acc.owner_id "
        f"ORDER BY o.uses DESC, acc.name, o.rid LIMIT {TABLE_ROWS}"
    )  # fmt: skip
    found = _fetch(
        sql, [ActivityStatus.COMPLETED, _db_time(period.start_at), _db_time(period.end_at)]
    )
    return (int(found[0][0]) if found else 0), [row[1:] for row in found]


def own_deals(period: Period, *, now: dt.datetime) -> Figure:
    """References whose every completed activity in the period was in their own account owner's deals."""
    total, top = _own_deals_top(period)
    rows = [[name, account, owner or "—", int(uses)] for _, name, account, owner, uses in top]
    owners: dict[str, int] = {}
    for r in rows:
        owners[r[2]] = owners.get(r[2], 0) + 1
    summary = {"references": total}
    return Figure("own_deals", "Sharing: references used only in their owner's deals", summary, ["Reference", "Account", "Owner", "Uses"], rows,
                  [{"label": o, "value": n} for o, n in sorted(owners.items(), key=lambda x: (-x[1], x[0]))],
                  note="Completed activities in the period on requests; every one was asked for by the account's own owner.")  # fmt: skip


FIGURES: dict[str, Callable[..., Figure]] = {
    "turnaround": turnaround,
    "sla": sla,
    "fulfilment": fulfilment,
    "acceptance": acceptance,
    "due_soon": due_soon,
    "nominations_waiting": nominations_waiting,
    "supply_industry": supply_industry,
    "supply_product": supply_product,
    "supply_region": supply_region,
    "usage": usage,
    "influence": influence,
    "referrals": referrals,
    "points": points,
    "nominations": nominations,
    "declines": declines,
    "own_deals": own_deals,
}
FIGURE_KEYS = tuple(FIGURES)


def _figure_fn(key: str) -> Callable[..., Figure]:
    try:
        return FIGURES[key]
    except KeyError:
        raise NotFound(
            f"There is no figure called {key[:40]!r}; figures: {', '.join(FIGURE_KEYS)}."
        ) from None


def figure_get(*, user, key: str, period: Period, now: dt.datetime | None = None) -> Figure:
    """One figure for the period, for someone allowed to read insights."""
    require_read(user)
    return _figure_fn(key)(period, now=now or timezone.now())


# The heaviest first, so threads finish together.
_BY_WEIGHT = ("own_deals", "usage", "turnaround", "influence", "declines", "acceptance", "supply_product", "supply_industry",
              "supply_region", "points", "sla", "fulfilment", "due_soon", "referrals", "nominations", "nominations_waiting")  # fmt: skip


def _compute_in_threads(period: Period, now: dt.datetime, threads: int) -> dict[str, Figure]:
    """Every figure, `threads` at a time, each thread on its own database connection (closed when it ends)."""
    pending = list(reversed(_BY_WEIGHT))
    results: dict[str, Figure] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work():
        try:
            if connection.vendor == "postgresql":
                # These threads are the parallelism: parallel workers per query would only compete for the same cores.
                with connection.cursor() as cursor:
                    cursor.execute("SET max_parallel_workers_per_gather = 0")
            while True:
                with lock:
                    if not pending or errors:
                        return
                    key = pending.pop()
                try:
                    figure = FIGURES[key](period, now=now)
                except BaseException as exc:  # re-raised in the calling thread
                    with lock:
                        errors.append(exc)
                    return
                with lock:
                    results[key] = figure
        finally:
            connections.close_all()

    workers = [
        threading.Thread(target=contextvars.copy_context().run, args=(work,))
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return results


def dashboard_compute(
    period: Period, *, now: dt.datetime | None = None, threads: int | None = None
) -> list[Figure]:
    """Every figure, unscoped (for the page, the API, the monthly summary task and the benchmark).

    Figures that read the same rows share one pass (`_once`). With `threads` > 1 (setting
    REFDESK_INSIGHTS_THREADS) the figures run on that many connections at once; inside a transaction
    (tests, or a caller's atomic block) they run one after another on the caller's connection, which
    is the only one that sees its uncommitted rows.
    """
    now = now or timezone.now()
    threads = settings.REFDESK_INSIGHTS_THREADS if threads is None else threads
    token = _shared.set(_Shared())
    try:
        if threads > 1 and not connection.in_atomic_block:
            found = _compute_in_threads(period, now, threads)
            return [found[key] for key in FIGURES]
        return [fn(period, now=now) for fn in FIGURES.values()]
    finally:
        _shared.reset(token)


def dashboard(*, user, period: Period, now: dt.datetime | None = None) -> list[Figure]:
    """Every figure for the period, for someone allowed to read insights."""
    require_read(user)
    return dashboard_compute(period, now=now)


@dataclass(frozen=True)
class Snapshot:
    """The dashboard's figures for a period and when they were computed."""

    period: Period
    figures: tuple[Figure, ...]
    computed_at: dt.datetime


# A dashboard aggregates a whole period (up to millions of rows, about a second): readers get the
# figures computed at most REFDESK_INSIGHTS_MAX_AGE seconds ago, one computation per period per
# server (kept in the `shared` cache for its other worker processes) however many open the page.
# Asking for fresh figures recomputes unless the snapshot is younger than FRESH_MIN_AGE, so a
# reload loop cannot keep the database busy.
FRESH_MIN_AGE = 5.0
_snapshots: dict[tuple, tuple[float, Snapshot]] = {}
_snapshot_locks: dict[tuple, threading.Lock] = {}


def dashboard_snapshot(*, user, period: Period, fresh: bool = False) -> Snapshot:
    """The dashboard for the period as computed at most REFDESK_INSIGHTS_MAX_AGE seconds ago (or now, if `fresh`)."""
    require_read(user)
    key = (period.start, period.end)
    shared_key = ("insights-dashboard", *key)
    max_age = FRESH_MIN_AGE if fresh else float(settings.REFDESK_INSIGHTS_MAX_AGE)

    def recent() -> Snapshot | None:
        found = _snapshots.get(key)
        return found[1] if found is not None and time.monotonic() - found[0] < max_age else None

    def kept() -> Snapshot | None:
        """The snapshot another worker process of this server computed, if recent enough."""
        found = changes.shared_recent(shared_key, max_age)
        if found is None:
            return None
        age, snapshot = found
        with _cache_lock:
            _snapshots[key] = (time.monotonic() - age, snapshot)
        return snapshot

    if (snapshot := recent() or kept()) is not None:
        return snapshot
    with _cache_lock:
        if len(_snapshot_locks) > 256:  # periods asked for once; a holder keeps its own reference
            _snapshot_locks.clear()
        lock = _snapshot_locks.setdefault(key, threading.Lock())
    # One computation per period at a time, in this process and on this server; the others wait
    # for its answer.
    with lock, changes.shared_lock(shared_key):
        if (snapshot := recent() or kept()) is not None:
            return snapshot
        now = timezone.now()
        snapshot = Snapshot(period, tuple(dashboard_compute(period, now=now)), now)
        with _cache_lock:
            if len(_snapshots) > 64:
                _snapshots.clear()
            _snapshots[key] = (time.monotonic(), snapshot)
        changes.shared_keep(shared_key, snapshot, float(settings.REFDESK_INSIGHTS_MAX_AGE))
    return snapshot


# --- drill-downs: the rows behind each figure ---------------------------------------------------


@dataclass
class Rows:
    """The rows behind a figure: column titles and a queryset of tuples in that order (paginated or streamed)."""

    key: str
    title: str
    columns: list[str]
    queryset: QuerySet


def _request_rows(qs: QuerySet[ReferenceRequest]) -> QuerySet:
    return qs.order_by("-submitted_at", "-pk").values_list(
        "pk",
        "prospect",
        "activity_type",
        "status",
        "industry_id",
        "country",
        "submitted_at",
        "candidates_proposed_at",
        "fulfilled_at",
        "completed_at",
    )


REQUEST_COLUMNS = [
    "Request",
    "Prospect",
    "Activity type",
    "Status",
    "Industry",
    "Country",
    "Submitted",
    "Candidates",
    "Fulfilled",
    "Completed",
]


def _drill_requests(title):
    def rows(period: Period, now: dt.datetime) -> Rows:
        return Rows("", title, REQUEST_COLUMNS, _request_rows(_submitted(period)))

    return rows


def _drill_acceptance(period: Period, now: dt.datetime) -> Rows:
    qs = RequestCandidate.objects.filter(
        invited_at__gte=period.start_at, invited_at__lt=period.end_at
    ).order_by("-invited_at", "-pk")
    return Rows("", "Invitations sent", ["Candidate", "Request", "Activity type", "Reference account", "Status", "Invited", "Answered"],
                qs.values_list("pk", "request_id", "request__activity_type", "reference__contact__account__name", "status", "invited_at", "responded_at"))  # fmt: skip


def _drill_due(period: Period, now: dt.datetime) -> Rows:
    return Rows("", "Requests due in the next 72 hours", ["Request", "Prospect", "Status", "Needed by", "Requester"],
                _due_soon_qs(now).order_by("needed_by", "pk").values_list("pk", "prospect", "status", "needed_by", "requester__email"))  # fmt: skip


def _drill_waiting(period: Period, now: dt.datetime) -> Rows:
    return Rows("", "Nominations waiting over 7 days", ["Nomination", "Account", "Contact", "Nominated by", "Since"],
                _waiting_nominations(now).order_by("created_at", "pk").values_list("pk", "contact__account__name", "contact__name", "nominator__email", "created_at"))  # fmt: skip


def _drill_supply(period: Period, now: dt.datetime) -> Rows:
    return Rows("", "Active references (supply)", ["Reference", "Contact", "Account", "Industry", "Country"],
                _supply().order_by("sort_account", "sort_name", "pk").values_list("pk", "contact__name", "contact__account__name",
                                                                                  "contact__account__industry_id", "contact__account__country"))  # fmt: skip


def _drill_usage(period: Period, now: dt.datetime) -> Rows:
    counted = Q(
        activities__status=ActivityStatus.COMPLETED,
        activities__occurred_at__gte=period.start_at,
        activities__occurred_at__lt=period.end_at,
    ) & ~Q(activities__activity_type__in=PASSIVE_ACTIVITY_TYPES)
    qs = (
        ReferenceProfile.objects.order_by().annotate(uses=Count("activities", filter=counted)).filter(Q(status=ReferenceStatus.ACTIVE) | Q(uses__gt=0))
        .order_by("-uses", "pk").values_list("pk", "contact__name", "contact__account__name", "status", "uses")
    )  # fmt: skip
    return Rows(
        "",
        "Activities per reference",
        ["Reference", "Contact", "Account", "Status", "Activities"],
        qs,
    )


def _drill_influence(period: Period, now: dt.datetime) -> Rows:
    qs = (
        Opportunity.objects.annotate(influenced=_influenced())
        .order_by("-created_on", "-pk")
        .values_list(
            "crm_id",
            "prospect",
            "stage",
            "amount",
            "created_on",
            "closed_on",
            "owner__email",
            "influenced",
        )
    )
    return Rows(
        "",
        "Opportunities",
        ["CRM id", "Prospect", "Stage", "Amount", "Created", "Closed", "Owner", "Influenced"],
        qs,
    )


def _drill_referrals(period: Period, now: dt.datetime) -> Rows:
    qs = ReferralLead.objects.filter(
        received_on__gte=period.start, received_on__lte=period.end
    ).order_by("-received_on", "-pk")
    return Rows("", "Referral leads received", ["Lead", "Company", "Source", "Stage", "Received", "Closed", "Amount"],
                qs.values_list("pk", "company", "source", "stage", "received_on", "closed_on", "amount"))  # fmt: skip


def _drill_points(period: Period, now: dt.datetime) -> Rows:
    qs = LedgerEntry.objects.filter(at__gte=period.start_at, at__lt=period.end_at).order_by(
        "-at", "-pk"
    )
    return Rows("", "Ledger entries", ["Entry", "Holder", "Kind", "Points", "At", "Reason"],
                qs.values_list("pk", "holder_id", "kind", "points", "at", "reason"))  # fmt: skip


def _drill_nominations(period: Period, now: dt.datetime) -> Rows:
    qs = Nomination.objects.filter(
        created_at__gte=period.start_at, created_at__lt=period.end_at
    ).order_by("-created_at", "-pk")
    return Rows("", "Nominations made", ["Nomination", "Nominated by", "Account", "Contact", "Status", "Made"],
                qs.values_list("pk", "nominator__email", "contact__account__name", "contact__name", "status", "created_at"))  # fmt: skip


def _drill_declines(period: Period, now: dt.datetime) -> Rows:
    return Rows(
        "",
        "Accounts with declined approvals",
        ["Account id", "Account", "Owner", "Asked", "Declined", "Approved"],
        _declines_qs(period),
    )


def _drill_own(period: Period, now: dt.datetime) -> Rows:
    return Rows(
        "",
        "References used only in their owner's deals",
        ["Reference", "Contact", "Account", "Owner", "Uses", "In owner's deals"],
        _own_deals_qs(period),
    )


DRILLS: dict[str, Callable[[Period, dt.datetime], Rows]] = {
    "turnaround": _drill_requests("Requests submitted"),
    "sla": _drill_requests("Requests submitted"),
    "fulfilment": _drill_requests("Requests submitted"),
    "acceptance": _drill_acceptance,
    "due_soon": _drill_due,
    "nominations_waiting": _drill_waiting,
    "supply_industry": _drill_supply,
    "supply_product": _drill_supply,
    "supply_region": _drill_supply,
    "usage": _drill_usage,
    "influence": _drill_influence,
    "referrals": _drill_referrals,
    "points": _drill_points,
    "nominations": _drill_nominations,
    "declines": _drill_declines,
    "own_deals": _drill_own,
}


def figure_rows(*, user, key: str, period: Period, now: dt.datetime | None = None) -> Rows:
    """The rows behind one figure, for someone allowed to read insights."""
    require_read(user)
    _figure_fn(key)
    rows = DRILLS[key](period, now or timezone.now())
    rows.key = key
    return rows


def opportunity_list(*, user, stage: str = "") -> QuerySet[Opportunity]:
    """Opportunities, newest first, with whether each was influenced by a reference."""
    require_read(user)
    qs = (
        Opportunity.objects.select_related("owner")
        .annotate(influenced=_influenced())
        .order_by("-created_on", "-pk")
    )
    if stage:
        qs = qs.filter(stage=stage)
    return qs
