"""The pure rules: hard exclusions never broken, explanations adding up, weights and fairness."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from refdesk.matching import scoring as s
from refdesk.matching.engine import PoolIndex
from refdesk.pool import naics

TODAY = dt.date(2026, 11, 23)
ACTIVITIES = ["reference_call", "case_study", "webinar", "logo", "quote", "media"]
NAMES = [
    "Acme Inc",
    "ACME, Inc.",
    "Acme GmbH",
    "Beta Ltd",
    "Gamma",
    "The Delta Company",
    "Prairie Cattle Co",
]
CODES = [
    "112111",
    "112112",
    "1121",
    "111110",
    "522110",
    "522130",
    "5221",
    "541511",
    "31-33",
    "311111",
    None,
]


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


candidates = st.builds(
    s.Candidate,
    reference_id=st.integers(1, 10_000),
    account_name=st.sampled_from(NAMES),
    industry=st.sampled_from(CODES),
    country=st.sampled_from(["US", "DE", "AT", "FR", "BR", "", "JP"]),
    employees=st.one_of(st.none(), st.integers(1, 10_000_000)),
    products=st.frozensets(st.sampled_from(["ledger", "payroll", "crm"])),
    languages=st.frozensets(st.sampled_from(["en", "de", "fr", "pt"])),
    time_zone=st.sampled_from(
        ["", "Europe/Berlin", "America/Chicago", "Asia/Tokyo", "America/Sao_Paulo"]
    ),
    activity_types=st.frozensets(st.sampled_from(ACTIVITIES)),
    status=st.sampled_from(["active", "active", "active", "paused", "retired", "candidate"]),
    opted_out=st.booleans(),
    blocked=st.booleans(),
    nps=st.one_of(st.none(), st.integers(0, 10)),
    nps_date=st.one_of(st.none(), st.integers(0, 900).map(days_ago)),
    csat=st.one_of(st.none(), st.integers(1, 5)),
    topics=st.lists(
        st.sampled_from(["onboarding", "payroll migration", "reporting dashboards", "SOX audits"]),
        max_size=3,
    ).map(tuple),
    competitors_displaced=st.lists(
        st.sampled_from(["Oracle", "SAP SE", "Acme Inc"]), max_size=2
    ).map(tuple),
    activity_dates=st.lists(st.integers(-20, 120).map(days_ago), max_size=7).map(
        lambda d: tuple(sorted(d))
    ),
)


@st.composite
def pools(draw):
    pool = draw(st.lists(candidates, max_size=40, unique_by=lambda c: c.reference_id))
    return pool


specs = st.builds(
    s.MatchSpec,
    today=st.just(TODAY),
    industries=st.lists(
        st.builds(
            s.IndustryTarget,
            code=st.sampled_from([c for c in CODES if c]),
            confidence=st.floats(0.5, 1.0),
        ),
        max_size=3,
    ).map(tuple),
    products=st.lists(st.sampled_from(["ledger", "payroll", "crm", "hr"]), max_size=3).map(tuple),
    country=st.sampled_from(["", "US", "DE", "CH", "BR"]),
    employees=st.one_of(st.none(), st.integers(1, 10_000_000)),
    activity_type=st.sampled_from(ACTIVITIES),
    languages=st.lists(st.sampled_from(["en", "de", "fr"]), max_size=2).map(tuple),
    competitor=st.sampled_from(["", "Oracle", "SAP", "acme"]),
    prospect=st.sampled_from(["", "acme", "Beta Limited", "Zeta"]),
    prospect_competitors=st.lists(st.sampled_from(["Gamma", "delta", "Omega"]), max_size=2).map(
        tuple
    ),
    topics=st.sampled_from(["", "payroll", "reporting and onboarding", "audit dashboards for SOX"]),
)

rules_st = st.builds(
    s.Rules,
    weights=st.fixed_dictionaries({c: st.integers(0, 100) for c in s.CRITERIA}),
    nps_threshold=st.integers(0, 10),
    short_cap=st.integers(1, 4),
    short_window_days=st.integers(1, 45),
    long_cap=st.integers(1, 8),
    long_window_days=st.integers(45, 120),
    cooldown_days=st.integers(0, 30),
)


def breaks_a_hard_rule(spec: s.MatchSpec, c: s.Candidate, rules: s.Rules) -> bool:
    """The hard rules written out again, independently of the scorer."""
    norm = s.normalize_name
    if c.status != "active" or c.opted_out or c.blocked:
        return True
    if c.nps is not None and c.nps < rules.nps_threshold:
        return True
    if spec.activity_type not in c.activity_types:
        return True
    if norm(c.account_name) in {
        norm(n) for n in (spec.prospect, spec.competitor, *spec.prospect_competitors) if n
    }:
        return True
    if spec.activity_type not in ("logo", "quote"):
        in_short = [d for d in c.activity_dates if (TODAY - d).days < rules.short_window_days]
        in_long = [d for d in c.activity_dates if (TODAY - d).days < rules.long_window_days]
        if len(in_short) >= rules.short_cap or len(in_long) >= rules.long_cap:
            return True
        if rules.cooldown_days and any(
            TODAY < d + dt.timedelta(days=rules.cooldown_days) for d in c.activity_dates
        ):
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(pool=pools(), spec=specs, rules=rules_st)
def test_no_ranking_ever_breaks_a_hard_rule(pool, spec, rules):
    ranking = s.rank(spec, pool, rules)
    ranked_ids = {r.candidate.reference_id for r in ranking.ranked}
    for scored in ranking.ranked:
        assert not breaks_a_hard_rule(spec, scored.candidate, rules), scored
    for c in pool:
        if breaks_a_hard_rule(spec, c, rules):
            assert c.reference_id in ranking.excluded and ranking.excluded[c.reference_id]
        else:
            scored = s.evaluate(spec, c, rules)
            # Listed unless the request asks for something and they match none of it.
            assert (c.reference_id in ranked_ids) == (
                s.fits(scored) or not s.asks_for_fit(spec, rules)
            )
    # The fast engine ranks exactly the same, with the same exclusion counts.
    limit = 5
    fast = PoolIndex(pool, rules=rules, today=TODAY).search(spec, limit=limit)
    assert [r.candidate.reference_id for r in fast.ranked] == [
        r.candidate.reference_id for r in ranking.ranked[:limit]
    ]
    assert [r.score for r in fast.ranked] == [r.score for r in ranking.ranked[:limit]]
    assert fast.excluded_count == len(ranking.excluded)
    assert fast.excluded_by_rule == ranking.excluded_by_rule


ALL_NAICS = sorted(naics.codes())


@settings(max_examples=100, deadline=None)
@given(
    targets=st.lists(
        st.builds(s.IndustryTarget, code=st.sampled_from(ALL_NAICS), confidence=st.floats(0.5, 1.0)),
        min_size=1,
        max_size=3,
    ),
    weight=st.integers(0, 100),
)
def test_the_industry_table_scores_every_code_as_the_scorer_does(targets, weight):
    """The engine scores only the codes in the sectors asked for; every other code must be worth
    nothing to the scorer too (all 2,125 NAICS codes, sector ranges and a missing code included)."""
    pool = [
        s.Candidate(reference_id=i, account_name=f"Account {i}", industry=code)
        for i, code in enumerate([None, *ALL_NAICS])
    ]
    index = PoolIndex(pool, rules=s.Rules(), today=TODAY)
    targets = tuple(targets)
    expected = [s.industry_part(targets, code, float(weight))[0] for code in index.codes]
    assert index._industry_table(targets, float(weight)).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(pool=pools(), spec=specs, rules=rules_st)
def test_explanation_parts_add_up_to_the_score(pool, spec, rules):
    for scored in s.rank(spec, pool, rules).ranked:
        assert round(sum(p.points for p in scored.parts), 1) == scored.score
        assert all(p.points > 0 and p.criterion in s.CRITERIA for p in scored.parts)
        assert all(p.points <= rules.weight(p.criterion) for p in scored.parts)


def ref(reference_id, **fields):
    defaults = {
        "status": "active",
        "activity_types": frozenset({"reference_call", "logo"}),
        "nps": 9,
    }
    return s.Candidate(reference_id=reference_id, **{**defaults, **fields})


def test_nothing_but_satisfaction_does_not_make_a_candidate():
    spec = s.MatchSpec(today=TODAY, industries=(s.IndustryTarget("1121"),))
    ranked = s.rank(
        spec, [ref(1, industry="522110", nps=10), ref(2, industry="112111", nps=7)], s.Rules()
    ).ranked
    assert [r.candidate.reference_id for r in ranked] == [2]
    everyone = s.rank(
        s.MatchSpec(today=TODAY),
        [ref(1, industry="522110", nps=10), ref(2, industry="112111", nps=7)],
        s.Rules(),
    )
    assert [r.candidate.reference_id for r in everyone.ranked] == [1, 2]


def test_the_cattle_ranch_outranks_a_bank_that_matches_everything_else():
    ranch = ref(1, account_name="Big Sky Ranch", industry="112111", country="BR", employees=40)
    bank = ref(
        2,
        account_name="First Bank",
        industry="522110",
        country="US",
        employees=900,
        products=frozenset({"ledger"}),
        languages=frozenset({"en"}),
        time_zone="America/Chicago",
        topics=("onboarding",),
    )
    spec = s.MatchSpec(
        today=TODAY,
        industries=(s.IndustryTarget("1121", "Cattle Ranching and Farming"),),
        products=("ledger",),
        country="US",
        employees=1000,
        languages=("en",),
        topics="onboarding",
    )
    ranked = s.rank(spec, [bank, ranch], s.Rules()).ranked
    assert [r.candidate.reference_id for r in ranked] == [1, 2]
    assert ranked[0].parts[0].criterion == "industry"
    assert "1121" in ranked[0].parts[0].matched


def test_closer_in_the_naics_tree_scores_higher():
    spec = s.MatchSpec(today=TODAY, industries=(s.IndustryTarget("112111"),))
    pool = [ref(1, industry="111110"), ref(2, industry="112112"), ref(3, industry="112111"), ref(4, industry="1121"),
            ref(5, industry="112"), ref(6, industry="522110")]  # fmt: skip
    ranked = s.rank(spec, pool, s.Rules(weights={"industry": 40})).ranked
    scores = {r.candidate.reference_id: r.score for r in ranked}
    assert scores[3] > scores[2] > scores[4] > scores[5] > scores[1]
    assert 6 not in scores  # a bank fits nothing asked for: not listed at all


def test_changing_the_weights_changes_the_order():
    same_country = ref(1, industry="522110", country="DE")
    same_industry = ref(2, industry="112111", country="US")
    spec = s.MatchSpec(today=TODAY, industries=(s.IndustryTarget("1121"),), country="DE")
    default = s.rank(spec, [same_country, same_industry], s.Rules()).ranked
    assert [r.candidate.reference_id for r in default] == [2, 1]
    geography_first = s.Rules(weights={**s.DEFAULT_WEIGHTS, "industry": 5, "location": 60})
    reweighted = s.rank(spec, [same_country, same_industry], geography_first).ranked
    assert [r.candidate.reference_id for r in reweighted] == [1, 2]


def test_at_equal_fit_the_less_used_reference_ranks_first():
    busy = ref(1, industry="112111", activity_dates=(days_ago(60),))
    rested = ref(2, industry="112111")
    spec = s.MatchSpec(today=TODAY, industries=(s.IndustryTarget("1121"),))
    ranked = s.rank(spec, [busy, rested], s.Rules()).ranked
    assert [r.candidate.reference_id for r in ranked] == [2, 1]
    assert ranked[0].parts[-1].criterion == "fairness"


def test_unknown_nps_is_allowed_but_scores_below_a_good_one():
    spec = s.MatchSpec(today=TODAY)
    ranked = s.rank(
        spec, [ref(1, nps=None), ref(2, nps=9, nps_date=days_ago(30)), ref(3, nps=6)], s.Rules()
    ).ranked
    assert [r.candidate.reference_id for r in ranked] == [2, 1]


def test_a_reference_in_cool_down_is_excluded_from_calls_but_shown_resting_for_a_logo():
    rules = s.Rules(cooldown_days=14)
    resting = ref(1, activity_dates=(days_ago(3),))
    call = s.rank(s.MatchSpec(today=TODAY), [resting], rules)
    assert call.ranked == []
    assert [e.rule for e in call.excluded[1]] == ["cooldown"]
    assert "free again 2026-12-04" in call.excluded[1][0].reason
    logo = s.rank(s.MatchSpec(today=TODAY, activity_type="logo"), [resting], rules).ranked[0]
    assert (logo.availability, logo.available_from) == ("resting", dt.date(2026, 12, 4))


def test_a_reference_at_the_cap_is_free_again_when_the_oldest_activity_leaves_the_window():
    rules = s.Rules(short_cap=2, short_window_days=30, cooldown_days=0)
    used = ref(1, activity_dates=(days_ago(20), days_ago(10)))
    usage = s.usage_of(used, rules, TODAY)
    assert usage.short_count == 2 and usage.cap_until == days_ago(20) + dt.timedelta(days=30)
    assert [e.rule for e in s.exclusions(s.MatchSpec(today=TODAY), used, rules)] == ["cap"]


def test_a_free_reference_is_marked_free():
    scored = s.rank(s.MatchSpec(today=TODAY), [ref(1)], s.Rules()).ranked[0]
    assert (scored.availability, scored.available_from) == ("free", None)


def test_company_names_are_compared_without_case_punctuation_or_legal_suffixes():
    assert (
        s.normalize_name("ACME, Inc.")
        == s.normalize_name("acme")
        == s.normalize_name("Acme GmbH")
        == "acme"
    )
    assert s.normalize_name("Müller G.m.b.H.") == "muller"
    assert s.normalize_name("The Delta Company") == "delta"
    assert s.normalize_name("Inc") == "inc"
    assert s.normalize_name("Acme Bank") != s.normalize_name("Acme")


def test_the_prospect_and_its_competitors_are_never_proposed():
    pool = [
        ref(1, account_name="Acme, Inc."),
        ref(2, account_name="Beta GmbH"),
        ref(3, account_name="Gamma"),
    ]
    spec = s.MatchSpec(today=TODAY, prospect="ACME Incorporated", prospect_competitors=("beta",))
    ranking = s.rank(spec, pool, s.Rules())
    assert [r.candidate.reference_id for r in ranking.ranked] == [3]
    assert ranking.excluded_by_rule == {"competitor": 1, "prospect": 1}


def test_a_reference_who_displaced_the_rival_ranks_higher():
    spec = s.MatchSpec(today=TODAY, competitor="Oracle Corporation")
    ranked = s.rank(spec, [ref(1), ref(2, competitors_displaced=("oracle",))], s.Rules()).ranked
    assert ranked[0].candidate.reference_id == 2
    assert ranked[0].parts[0].matched == "displaced oracle"


def test_the_same_away_and_tired_sets_keep_holding_back_references_added_since():
    """The index keeps the positions of a remembered set; a reference added later is still found."""
    index = PoolIndex([ref(1), ref(2)], rules=s.Rules(), today=TODAY)
    away, tired = frozenset({2, 3}), {4: "at the cap"}
    spec = s.MatchSpec(today=TODAY)

    def ranked():
        found = index.search(spec, limit=10, away=away, blocked=tired)
        return [r.candidate.reference_id for r in found.ranked], found.excluded_by_rule

    assert ranked() == ([1], {"away": 1})
    index.upsert(ref(3))
    index.upsert(ref(4))
    assert ranked() == ([1], {"away": 2, "fatigue": 1})
    assert index.search(spec, limit=10).excluded_by_rule == {}
