"""The fast matcher: a columnar index of the pool kept per process, refreshed when the pool changes.

Each reference is a few small integers (industry, place, language set, product set, size bin)
pointing into per-request lookup tables, plus a precomputed float for what does not depend on the
request (satisfaction and fairness). A match gathers the looked-up columns and sums them as numpy
arrays, adds the sparse criteria (topics, competitor) through posting lists, keeps the best few
and re-scores only those with `scoring.evaluate`, which also writes their explanations. The
tables are built by the same per-criterion functions, so the engine ranks exactly like
`scoring.rank`. The Python lists stay the source of truth (cheap to append to and patch); their
numpy copies are made on the first match after a reference is added and patched in place when
one changes.

A change-stamp check (`refdesk.core.changes`: largest id, latest `updated_at` and deletions of
references, contacts, accounts and activities, one indexed query) runs before every match:
changed rows are re-read and patched in place, so a change to the pool shows in the next match
without a restart. Deletions, and every ten minutes as a safety net against transactions that
commit out of order, rebuild the whole index.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Q

from refdesk.activities.selectors import activity_reference_ids_changed_since
from refdesk.core import changes
from refdesk.core.memory import freeze_long_lived
from refdesk.matching import scoring as s
from refdesk.matching.scoring import Candidate, MatchSpec, Rules
from refdesk.pool import naics

NEG = -1e9
SLACK = 10  # extra candidates re-scored exactly, so float order never decides the cut
FULL_RESYNC_SECONDS = 600
# From this many references a rebuilt index is frozen (core.memory); below, a full collection is cheap.
FREEZE_FROM = 20_000
MARGIN = dt.timedelta(seconds=2)


@dataclass
class Eligibility:
    """Per activity type: each reference's request-independent points, or NEG when a hard rule
    excludes them, and which rules they break."""

    base: list[float]
    rules_of: list[tuple[str, ...]]
    by_rule: Counter = field(default_factory=Counter)
    ineligible: int = 0
    array: np.ndarray | None = None  # `base` as numpy, made on the next match after an append


COLUMNS = ("ind", "place", "lang", "prod", "size")


@dataclass
class EngineResult:
    ranked: list[s.Scored]
    excluded_count: int
    excluded_by_rule: dict[str, int]
    pool_size: int


def _post(postings: dict[str, list[int]], keys, p: int) -> None:
    for key in keys:
        postings.setdefault(key, []).append(p)


def _unpost(postings: dict[str, list[int]], keys, p: int) -> None:
    for key in keys:
        found = postings.get(key)
        if found is not None:
            found.remove(p)
            if not found:
                del postings[key]


class PoolIndex:
    """The whole pool as columns; built from `Candidate` records (tests build it without a database)."""

    def __init__(self, candidates, *, rules: Rules, today: dt.date):
        self.rules, self.today = rules, today
        self.cands: list[Candidate] = []
        self.pos: dict[int, int] = {}
        # Distinct values, and per reference the index of its value: industry, (country, time
        # zone), language set, product set.
        self.codes: list[str | None] = []
        self.places: list[tuple[str, str]] = []
        self.langsets: list[frozenset[str]] = []
        self.prodsets: list[frozenset[str]] = []
        self._ids: dict[str, dict] = {"codes": {}, "places": {}, "langsets": {}, "prodsets": {}}
        self.ind: list[int] = []
        self.place: list[int] = []
        self.lang: list[int] = []
        self.prod: list[int] = []
        self.size: list[int] = []
        # Posting lists for the sparse criteria and the name rules.
        self.words: dict[str, list[int]] = {}
        self.displaced: dict[str, list[int]] = {}
        self.names: dict[str, list[int]] = {}
        self.usage: list[s.Usage] = []
        self.static: list[float] = []
        self.base_rules: list[tuple[str, ...]] = []
        self.resting_rules: list[tuple[str, ...]] = []
        self.eligibility: dict[str, Eligibility] = {}
        self._arrays: dict[str, np.ndarray] | None = None  # COLUMNS as numpy
        self._tables: dict[tuple, np.ndarray] = {}
        self._tuples: dict[tuple, tuple] = {}
        self._word_arrays: dict[str, np.ndarray] = {}  # `words` posting lists as numpy
        self._id_positions: dict[int, tuple] = {}  # see _positions
        for candidate in candidates:
            self.upsert(candidate)

    # --- building ------------------------------------------------------------------

    def _intern(self, name: str, value) -> int:
        ids = self._ids[name]
        found = ids.get(value)
        if found is None:
            table = getattr(self, name)
            found = ids[value] = len(table)
            table.append(value)
        return found

    @staticmethod
    def _keys(c: Candidate) -> tuple[set[str], set[str], set[str]]:
        words: set[str] = set()
        for topic in c.topics:
            words |= s.topic_words(topic)
        displaced = {s.normalize_name(n) for n in c.competitors_displaced} - {""}
        names = {s.normalize_name(c.account_name)} - {""}
        return words, displaced, names

    def upsert(self, c: Candidate) -> None:
        """Add a reference or replace what the index knows about it."""
        self._word_arrays.clear()
        p = self.pos.get(c.reference_id)
        columns = (
            self._intern("codes", c.industry),
            self._intern("places", (c.country, c.time_zone)),
            self._intern("langsets", c.languages),
            self._intern("prodsets", c.products),
            (s.size_bin(c.employees) if c.employees else -1) + 1,
        )
        postings = (self.words, self.displaced, self.names)
        if p is None:
            p = self.pos[c.reference_id] = len(self.cands)
            self.cands.append(c)
            for col, value in zip(
                (self.ind, self.place, self.lang, self.prod, self.size), columns, strict=True
            ):
                col.append(value)
            self._arrays = None
            for elig in self.eligibility.values():
                elig.array = None
            self.usage.append(None)
            self.static.append(0.0)
            self.base_rules.append(())
            self.resting_rules.append(())
            for elig in self.eligibility.values():
                elig.base.append(0.0)
                elig.rules_of.append(())
        else:
            for where, keys in zip(postings, self._keys(self.cands[p]), strict=True):
                _unpost(where, keys, p)
            self.cands[p] = c
            self.ind[p], self.place[p], self.lang[p], self.prod[p], self.size[p] = columns
            if self._arrays is not None:
                for name, value in zip(COLUMNS, columns, strict=True):
                    self._arrays[name][p] = value
        for where, keys in zip(postings, self._keys(c), strict=True):
            _post(where, keys, p)
        self._derive(p)

    def _derive(self, p: int) -> None:
        """What depends on the rules and the day, but not on the request."""
        c, rules = self.cands[p], self.rules
        usage = self.usage[p] = (
            s.usage_of(c, rules, self.today) if c.activity_dates else self._unused
        )
        self.static[p] = (
            s.satisfaction_part(
                c.nps, c.nps_date, c.csat, c.csat_date, self.today, rules.weight("satisfaction")
            )[0]
            + s.fairness_part(usage.long_count, rules.long_window_days, rules.weight("fairness"))[0]
        )
        self.base_rules[p] = self._tuple(e.rule for e in s.base_exclusions(c, rules))
        # Caps and cool-down stop every activity that takes time alike.
        self.resting_rules[p] = (
            self._tuple(e.rule for e in s.resting_exclusions(usage, rules, s.DEFAULT_ACTIVITY))
            if c.activity_dates
            else ()
        )
        for activity_type, elig in self.eligibility.items():
            self._set_eligible(elig, activity_type, p)

    @property
    def _unused(self) -> s.Usage:
        unused = self.__dict__.get("_unused_usage")
        if unused is None or unused[0] != (self.rules, self.today):
            unused = (self.rules, self.today), s.usage_of(s.Candidate(0), self.rules, self.today)
            self.__dict__["_unused_usage"] = unused
        return unused[1]

    def _tuple(self, items) -> tuple:
        value = tuple(items)
        return self._tuples.setdefault(value, value)

    def rederive(self, *, rules: Rules, today: dt.date) -> None:
        """New weights, thresholds or a new day: recompute the request-independent columns."""
        self.rules, self.today = rules, today
        self.eligibility = {}
        self._tables = {}
        for p in range(len(self.cands)):
            self._derive(p)

    def _rules_for(self, activity_type: str, p: int) -> tuple[str, ...]:
        found = self.base_rules[p]
        if activity_type not in self.cands[p].activity_types:
            found = found + ("activity",)
        if activity_type not in s.PASSIVE_ACTIVITY_TYPES and self.resting_rules[p]:
            found = found + self.resting_rules[p]
        return self._tuple(found) if found else ()

    def _set_eligible(self, elig: Eligibility, activity_type: str, p: int) -> None:
        old = elig.rules_of[p]
        new = self._rules_for(activity_type, p)
        if old:
            elig.ineligible -= 1
            elig.by_rule.subtract(old)
        if new:
            elig.ineligible += 1
            elig.by_rule.update(new)
        elig.rules_of[p] = new
        elig.base[p] = NEG if new else self.static[p]
        if elig.array is not None and p < len(elig.array):
            elig.array[p] = elig.base[p]

    def _columns(self) -> dict[str, np.ndarray]:
        if self._arrays is None:
            self._arrays = {name: np.array(getattr(self, name), dtype=np.int32) for name in COLUMNS}
        return self._arrays

    @staticmethod
    def _base(elig: Eligibility) -> np.ndarray:
        if elig.array is None:
            elig.array = np.array(elig.base, dtype=np.float64)
        return elig.array

    def _eligibility(self, activity_type: str) -> Eligibility:
        elig = self.eligibility.get(activity_type)
        if elig is None:
            base, rules_of, by_rule, ineligible = [], [], Counter(), 0
            static, rules_for = self.static, self._rules_for
            for p in range(len(self.cands)):
                found = rules_for(activity_type, p)
                rules_of.append(found)
                if found:
                    ineligible += 1
                    by_rule.update(found)
                    base.append(NEG)
                else:
                    base.append(static[p])
            elig = self.eligibility[activity_type] = Eligibility(
                base, rules_of, by_rule, ineligible
            )
        return elig

    def prepare(self, activity_types) -> None:
        """Work out eligibility for these activity types now rather than on their first match."""
        for activity_type in activity_types:
            self._eligibility(activity_type)

    # --- matching ------------------------------------------------------------------

    def search(
        self, spec: MatchSpec, *, limit: int, busy_lookup=None, blocked=None, away=None
    ) -> EngineResult:
        """The best `limit` eligible references for the request, explained, best first.

        `away`: references who said they are unavailable today; `blocked`: held back by fatigue rules.
        """
        n = len(self.cands)
        rules, w = self.rules, self.rules.weight
        elig = self._eligibility(spec.activity_type)
        col, base = self._columns(), self._base(elig)
        scores = base.copy()
        if spec.industries and w("industry"):
            table = self._table(
                ("industry", spec.industries, len(self.codes)),
                lambda: self._industry_table(spec.industries, w("industry")),
            )
            scores += table[col["ind"]]
        if spec.country and (w("location") or w("time_zone")):
            table = self._table(
                ("place", spec.country, spec.activity_type, spec.today, len(self.places)),
                lambda: [
                    s.location_part(spec.country, country, w("location"))[0]
                    + s.time_zone_part(
                        spec.country, spec.activity_type, zone, country, w("time_zone"), spec.today
                    )[0]
                    for country, zone in self.places
                ],
            )
            scores += table[col["place"]]
        if spec.languages and w("language"):
            table = self._table(
                ("language", spec.languages, len(self.langsets)),
                lambda: [
                    s.language_part(spec.languages, langs, w("language"))[0]
                    for langs in self.langsets
                ],
            )
            scores += table[col["lang"]]
        if spec.products and w("products"):
            table = self._table(
                ("products", spec.products, len(self.prodsets)),
                lambda: self._products_table(spec.products, w("products")),
            )
            scores += table[col["prod"]]
        wanted_bin = s.size_bin(spec.employees)
        if wanted_bin is not None and w("size"):
            table = self._table(
                ("size", wanted_bin),
                lambda: [0.0] + [s.size_part(wanted_bin, b, w("size")) for b in range(0, 80)],
            )
            scores += table[col["size"]]

        words = s.request_words(spec)
        postings = [self._posting_array(word) for word in words if word in self.words]
        if postings and w("topics"):
            hits = np.bincount(np.concatenate(postings), minlength=n)
            needed = s.topic_hits_needed(words)
            points = np.array(
                [s.topics_points(h, needed, w("topics")) for h in range(len(words) + 1)]
            )
            scores += points[hits]
        rival = s.normalize_name(spec.competitor)
        if rival and w("competitor") and self.displaced.get(rival):
            bonus = s.competitor_part(rival, (spec.competitor,), w("competitor"))[0]
            scores[np.array(self.displaced[rival], dtype=np.int64)] += bonus

        need_fit = s.asks_for_fit(spec, rules)
        if need_fit:
            # Only references that match something asked for; see scoring.FIT_CRITERIA.
            scores[scores <= base] = NEG
        # Ineligible references keep their NEG (plus a few points): below any real score.
        eligible = base > NEG / 2

        named: set[int] = set()
        name_rules: Counter = Counter()
        for rule, names in (
            ("prospect", [spec.prospect]),
            ("competitor", [*spec.prospect_competitors, spec.competitor]),
        ):
            hit: set[int] = set()
            for name in names:
                if name:
                    hit.update(self.names.get(s.normalize_name(name), ()))
            name_rules[rule] += len(hit)
            named |= hit
        newly = 0
        for p in named:
            if eligible[p]:
                newly += 1
                scores[p] = NEG

        # Away (the reference's own dates in the portal), then held back by the activity log's
        # fatigue rules (per-type caps, overrides, their own monthly limit); someone both away
        # and tired is counted as away, the reason they gave.
        for rule, ids in (("away", away or ()), ("fatigue", blocked or ())):
            positions = self._positions(ids)
            held_back = positions[eligible[positions] & (scores[positions] > NEG / 2)]
            scores[held_back] = NEG
            name_rules[rule] += len(held_back)
            newly += len(held_back)

        picked = self._pick(scores, limit + SLACK)
        # Who is already on another open request is live data, looked up only for the few picked.
        busy = busy_lookup([self.cands[p].reference_id for p in picked]) if busy_lookup else set()
        ranked = []
        for p in picked:
            c = self.cands[p]
            result = s.evaluate(spec, c, rules, on_open_request=c.reference_id in busy)
            if isinstance(result, s.Scored) and (not need_fit or s.fits(result)):
                ranked.append(result)
        ranked.sort(key=s.rank_key)
        by_rule = Counter({k: v for k, v in elig.by_rule.items() if v > 0})
        by_rule.update({k: v for k, v in name_rules.items() if v})
        return EngineResult(
            ranked[:limit], elig.ineligible + newly, dict(sorted(by_rule.items())), n
        )

    def _industry_table(self, targets: tuple, weight: float) -> np.ndarray:
        """`scoring.industry_part`'s points for every industry code in the pool. A code outside
        every sector asked for scores nothing, so only the codes of those sectors are scored: a
        request names new industries more often than not (scoring all of the benchmark pool's 482
        codes took 1.7 ms, a tenth of that for one sector)."""
        table = np.zeros(len(self.codes), dtype=np.float64)
        by_sector = self._codes_by_sector()
        for sector in dict.fromkeys(naics.sector_of(target.code) for target in targets):
            for i, code in by_sector.get(sector, ()):
                table[i] = s.industry_part(targets, code, weight)[0]
        return table

    def _codes_by_sector(self) -> dict[str, list[tuple[int, str]]]:
        """{sector: [(position in `codes`, code)]}, until a new code is added."""

        def build():
            sectors: dict[str, list[tuple[int, str]]] = {}
            for i, code in enumerate(self.codes):
                if code:
                    sectors.setdefault(naics.sector_of(code), []).append((i, code))
            return sectors

        return self._kept_while("_sectors", self.codes, build)

    def _products_table(self, products: tuple[str, ...], weight: float) -> np.ndarray:
        """`scoring.products_part`'s points for every product set in the pool, counted with numpy:
        each request asks for its own combination, and there are hundreds of distinct sets."""
        wanted = tuple(dict.fromkeys(products))
        holders = self._product_holders()
        held = np.zeros(len(self.prodsets), dtype=np.int64)
        for product in wanted:
            found = holders.get(product)
            if found is not None:
                held[found] += 1
        return np.array(s.products_points(len(wanted), weight))[held]

    def _product_holders(self) -> dict[str, np.ndarray]:
        """{product: positions in `prodsets` of the sets that hold it}, until a new set is added."""

        def build():
            holders: dict[str, list[int]] = {}
            for i, have in enumerate(self.prodsets):
                for product in have:
                    holders.setdefault(product, []).append(i)
            return {product: np.array(at, dtype=np.int64) for product, at in holders.items()}

        return self._kept_while("_holders", self.prodsets, build)

    def _kept_while(self, name: str, values: list, build):
        """`build()`, kept under `name` while `values` (distinct values the index only ever
        appends to) has not grown."""
        found = self.__dict__.get(name)
        if found is None or found[0] != len(values):
            found = self.__dict__[name] = (len(values), build())
        return found[1]

    def _posting_array(self, word: str) -> np.ndarray:
        found = self._word_arrays.get(word)
        if found is None:
            found = self._word_arrays[word] = np.array(self.words[word], dtype=np.int64)
        return found

    def _positions(self, reference_ids) -> np.ndarray:
        """Positions of these reference ids in the index (those it holds). Kept for the same frozen
        set or mapping while the index does not grow: who is away today and who is tired of each
        activity type are remembered answers, the same object from one match to the next (and
        never changed in place)."""
        key = (id(reference_ids), len(reference_ids), len(self.cands))
        found = self._id_positions.get(key[0])
        if found is not None and found[0] is reference_ids and found[1] == key:
            return found[2]
        pos = self.pos
        positions = np.fromiter((pos[r] for r in reference_ids if r in pos), dtype=np.int64)
        if isinstance(reference_ids, frozenset | dict):
            if len(self._id_positions) > 64:
                self._id_positions.clear()
            self._id_positions[key[0]] = (reference_ids, key, positions)
        return positions

    def _table(self, key: tuple, build) -> np.ndarray:
        """A per-request lookup table, kept for the next request that needs the same one."""
        table = self._tables.get(key)
        if table is None:
            if len(self._tables) > 4096:
                self._tables.clear()
            table = self._tables[key] = np.array(build(), dtype=np.float64)
        return table

    def _pick(self, scores: np.ndarray, k: int) -> list[int]:
        """Positions of the best k eligible scores, ties settled like `scoring.rank_key`."""
        k = min(k, len(scores))
        if k <= 0:
            return []
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        floor = max(float(kth) - 1e-6, NEG / 2)
        picked = np.flatnonzero(scores >= floor).tolist()
        if len(picked) > k:
            usage, cands = self.usage, self.cands
            picked.sort(
                key=lambda p: (
                    -round(float(scores[p]), 1),
                    usage[p].long_count,
                    cands[p].reference_id,
                )
            )
            picked = picked[:k]
        return picked


# --- loading from the database ---------------------------------------------------------

_FIELDS = (
    "id", "status", "activity_types", "topics", "competitors_displaced", "nps", "nps_date", "csat", "csat_date",
    "opted_out", "contact__languages", "contact__time_zone", "contact__account_id", "contact__account__name",
    "contact__account__industry_id", "contact__account__country", "contact__account__employees",
    "contact__account__matching_blocked",
)  # fmt: skip


def _frozen(values, cache: dict) -> frozenset:
    key = frozenset(values or ())
    return cache.setdefault(key, key)


def load_candidates(*, today: dt.date, rules: Rules, where: Q | None = None) -> list[Candidate]:
    """Read references (all, or those matching `where`) as plain `Candidate` records."""
    from refdesk.activities.selectors import activity_dates_since
    from refdesk.asks.selectors import held_reference_ids
    from refdesk.pool.models import Account, ReferenceProfile

    qs = ReferenceProfile.objects.order_by()
    if where is not None:
        qs = qs.filter(where)
        rows = list(qs.values_list(*_FIELDS))
    else:
        rows = qs.values_list(*_FIELDS).iterator(chunk_size=5000)
    # A few changed rows are read by id; a large change (an import) reads everything once.
    few = where is not None and len(rows) <= 2000
    through = Account.products.through.objects.order_by()
    if few:
        through = through.filter(account_id__in={r[12] for r in rows})
    products: dict[int, set[str]] = {}
    for account_id, name in through.values_list("account_id", "product__name"):
        products.setdefault(account_id, set()).add(name.lower())
    cache: dict = {}
    frozen_products = {a: _frozen(names, cache) for a, names in products.items()}
    since = today - dt.timedelta(days=rules.lookback_days)
    dates = activity_dates_since(since=since, reference_ids=[r[0] for r in rows] if few else None)
    held = held_reference_ids([r[0] for r in rows] if few else None)
    strings: dict[str, str] = {}
    empty = frozenset()
    result = []
    for r in rows:
        result.append(
            Candidate(
                reference_id=r[0], status=r[1], activity_types=_frozen(r[2], cache),
                topics=tuple(strings.setdefault(t, t) for t in (r[3] or ())),
                competitors_displaced=tuple(strings.setdefault(t, t) for t in (r[4] or ())),
                nps=r[5], nps_date=r[6], csat=r[7], csat_date=r[8], opted_out=r[9],
                languages=_frozen(r[10], cache), time_zone=strings.setdefault(r[11] or "", r[11] or ""),
                account_name=r[13], industry=r[14], country=r[15] or "", employees=r[16], blocked=r[17], held=r[0] in held,
                products=frozen_products.get(r[12], empty), activity_dates=dates.get(r[0], ()),
            )
        )  # fmt: skip
    return result


def pool_version() -> tuple:
    """Change stamps of everything the index reads, in one indexed query: references, contacts,
    accounts and activities, each (largest id, latest change, deletions)."""
    from refdesk.activities.models import Activity
    from refdesk.pool.models import Account, Contact, ReferenceProfile

    return changes.stamps(ReferenceProfile, Contact, Account, Activity)


@dataclass
class _Held:
    index: PoolIndex
    version: tuple
    built_at: float


class Engine:
    """One per process: holds the index and keeps it in step with the database."""

    def __init__(self):
        self._lock = threading.Lock()
        self._held: _Held | None = None

    def reset(self) -> None:
        with self._lock:
            self._held = None

    def _build(self, rules: Rules, today: dt.date, version: tuple) -> _Held:
        from refdesk.pool.choices import ActivityType

        index = PoolIndex(load_candidates(today=today, rules=rules), rules=rules, today=today)
        index.prepare(ActivityType.values)
        return _Held(index, version, time.monotonic())

    def _refresh(self, held: _Held, rules: Rules, today: dt.date, version: tuple) -> None:
        from refdesk.pool.choices import ActivityType

        old = held.version
        if any(new[2] != was[2] for new, was in zip(version[:3], old[:3], strict=True)):
            raise _Rebuild  # a reference, contact or account was deleted
        index = held.index
        if index.rules != rules or index.today != today:
            if index.rules.lookback_days != rules.lookback_days:
                raise _Rebuild  # activities further back are needed
            index.rederive(rules=rules, today=today)
            index.prepare(ActivityType.values)
        # SQLite writers queue (IMMEDIATE transactions), so change times follow commit order;
        # elsewhere a transaction may commit after a later one: look back a little.
        margin = dt.timedelta(0) if connection.vendor == "sqlite" else MARGIN
        changed = Q()
        for (_, was_last, _), lookup in zip(
            old[:3],
            ("updated_at", "contact__updated_at", "contact__account__updated_at"),
            strict=True,
        ):
            changed |= Q(**{f"{lookup}__gte": was_last - margin}) if was_last else Q(pk__gte=0)
        if version[:3] != old[:3]:
            for candidate in load_candidates(today=today, rules=rules, where=changed):
                held.index.upsert(candidate)
        if version[3] != old[3]:
            # Only the references whose activities changed, unless some were deleted.
            was_last = old[3][1]
            touched = None
            if version[3][2] == old[3][2] and was_last is not None:
                touched = activity_reference_ids_changed_since(was_last - margin)
            self._refresh_activities(index, rules, today, touched)
        held.version = version

    @staticmethod
    def _refresh_activities(
        index: PoolIndex, rules: Rules, today: dt.date, reference_ids=None
    ) -> None:
        from refdesk.activities.selectors import activity_dates_since

        since = today - dt.timedelta(days=rules.lookback_days)
        dates = activity_dates_since(since=since, reference_ids=reference_ids)
        if reference_ids is None:
            cands = list(index.cands)
        else:
            cands = [index.cands[index.pos[r]] for r in reference_ids if r in index.pos]
        for c in cands:
            new = dates.get(c.reference_id, ())
            if new != c.activity_dates:
                index.upsert(dataclasses.replace(c, activity_dates=new))

    def search(
        self, spec: MatchSpec, *, rules: Rules, limit: int, busy_lookup, blocked=None, away=None
    ) -> EngineResult:
        """Bring the index up to date with the database, then match. `busy_lookup(reference_ids)`:
        those of the picked references already on an open request (the selector reads them with
        their names, `asks.selectors.on_open_request`)."""
        version = pool_version()
        with self._lock:
            held = self._held
            stale = held is None or time.monotonic() - held.built_at > FULL_RESYNC_SECONDS
            if not stale:
                try:
                    self._refresh(held, rules, spec.today, version)
                except _Rebuild:
                    stale = True
            if stale:
                held = self._held = self._build(rules, spec.today, version)
                if len(held.index.cands) >= FREEZE_FROM:
                    # The index lives until the next rebuild: keep full collections from walking it.
                    freeze_long_lived()
            return held.index.search(
                spec,
                limit=limit,
                busy_lookup=busy_lookup,
                blocked=blocked,
                away=away,
            )


class _Rebuild(Exception):
    pass


engine = Engine()
