"""Every figure for June 2026 on the hand-built program in conftest, with its answer worked out by hand."""

import datetime as dt
import math
import threading
import time
from decimal import Decimal

import pytest

from refdesk.activities.models import Activity
from refdesk.core.errors import Forbidden, InvalidInput, NotFound
from refdesk.insights import selectors
from refdesk.pool.models import ReferenceProfile
from tests.insights.conftest import JUNE, NOW


def fig(key):
    return selectors.FIGURES[key](JUNE, now=NOW)


def test_it_gives_median_and_p90_turnaround_per_milestone(program):
    f = fig("turnaround")
    # To candidates: R1 2h, R2 4h, R3 6h, R4 8h, R6 1h -> sorted 1 2 4 6 8: median 4, p90 rank ceil(4.5)=5 -> 8.
    # To accepted: 10 20 30 -> median 20, p90 rank ceil(2.7)=3 -> 30. To completed: 50 100 -> median 75, p90 rank 2 -> 100.
    assert f.rows == [
        ["to candidates", 5, 4.0, 8.0],
        ["to accepted (fulfilled)", 3, 20.0, 30.0],
        ["to completed", 2, 75.0, 100.0],
    ]
    assert f.summary["requests"] == 6  # R7 was submitted in May


def test_percentile_ranks_follow_the_documented_rule():
    assert selectors._ranks(1) == ([1], [1])
    assert selectors._ranks(4) == ([2, 3], [4])
    assert selectors._ranks(10) == ([5, 6], [9])
    assert selectors._ranks(11) == ([6], [math.ceil(9.9)])


def test_it_counts_sla_compliance_among_decided_requests(program):
    s = fig("sla").summary
    # Candidates due 4h after submission: met by R1 (2h), R2 (4h), R6 (1h) of 6 decided (R5's due time has passed).
    assert (s["candidates_due"], s["candidates_met"], s["candidates_percent"]) == (6, 3, 50.0)
    # Accepted within 24h: R1 (10h) and R3 (20h) of 6 -> 33.3 %.
    assert (s["acceptance_due"], s["acceptance_met"], s["acceptance_percent"]) == (6, 2, 33.3)


def test_it_leaves_withdrawn_requests_out_of_the_fulfilment_rate(program):
    f = fig("fulfilment")
    # Fulfilled R1 R2 R3 against expired R4 and cancelled R5: 3 / 5.
    assert f.summary == {"requests": 6, "fulfilled": 3, "unfulfilled": 2, "rate_percent": 60.0}
    assert dict(f.rows)["Withdrawn"] == 1 and dict(f.rows)["Submitted"] == 0


def test_it_warns_when_fewer_than_half_the_invitations_are_accepted(program):
    f = fig("acceptance")
    # reference_call: invited C1 C3 C4 C5 C6 C7 C8 = 7, accepted 2, declined 4 -> 33.3 %; case_study: 1 of 1.
    assert f.rows == [["Case study", 1, 1, 0, 100.0], ["Reference call", 7, 2, 4, 33.3]]
    assert f.summary == {"invited": 8, "accepted": 3, "declined": 4, "rate_percent": 42.9}  # 3 / 7
    assert "42.9 %" in f.warning


def test_it_lists_open_requests_due_within_72_hours(program):
    f = fig("due_soon")
    r3, r7 = program.requests[2], program.requests[6]
    assert f.summary == {"requests": 2}  # R6 is withdrawn, R4 expired
    assert [r[0] for r in f.rows] == [r7.pk, r3.pk]
    assert [c["value"] for c in f.chart] == [0, 1, 1, 0]  # 30 June .. 3 July


def test_it_lists_nominations_waiting_more_than_a_week(program):
    f = fig("nominations_waiting")
    # Olivia's from 10 June (20 days) and Paul's from 16 May (45 days); Paul's from 25 June is only 5 days old.
    assert f.summary == {"nominations": 2}
    assert [r[4] for r in f.rows] == [45, 20]
    assert [c["value"] for c in f.chart] == [0, 1, 1]


def _by_label(f):
    return {r[0]: r[1:] for r in f.rows}


def test_it_sets_supply_against_demand_by_industry(program):
    rows = {k.split(" ")[0]: v for k, v in _by_label(fig("supply_industry")).items()}
    # Demand: 52 -> R1 R2 R4, 11 -> R3, 54 -> R6, none -> R5. Supply: 52 -> A C, 11 -> B, 54 -> D (E is paused).
    assert rows["52"] == [3, 2, 0.67, "gap"]
    assert rows["11"] == [1, 1, 1.0, ""]
    assert rows["54"] == [1, 1, 1.0, ""]
    assert rows["(no"] == [1, 0, 0.0, "gap"]
    assert fig("supply_industry").summary == {"segments": 4, "gaps": 2, "demand": 6, "supply": 4}


def test_it_sets_supply_against_demand_by_product(program):
    rows = _by_label(fig("supply_product"))
    # Demand: Ledger R1 R2 R4 R6, Payroll R2, Analytics R3. Supply: Ledger A B, Payroll B C.
    assert rows == {
        "Ledger": [4, 2, 0.5, "gap"],
        "Payroll": [1, 2, 2.0, ""],
        "Analytics": [1, 0, 0.0, "gap"],
    }


def test_it_sets_supply_against_demand_by_region(program):
    rows = _by_label(fig("supply_region"))
    assert rows == {
        "North America": [3, 2, 0.67, "gap"],  # R1 R2 R6 against A D
        "DACH": [1, 1, 1.0, ""],
        "France": [1, 0, 0.0, "gap"],
        "(none)": [1, 0, 0.0, "gap"],
        "UK & Ireland": [0, 1, None, ""],
    }


def test_it_measures_usage_concentration_with_gini(program):
    f = fig("usage")
    # Counts: D 0, C 1, E 1, B 2, A 4 (n=5, total 8). Ascending ranks give sum(i*x) = 0+2+3+8+20 = 33;
    # Gini = 2*33/(5*8) - 6/5 = 0.45. The busiest 10 % is ceil(0.5) = 1 reference: A's 4 of 8 = 50 %.
    s = f.summary
    assert (
        s["references"],
        s["activities"],
        s["gini"],
        s["top10_count"],
        s["top10_share_percent"],
    ) == (5, 8, 0.45, 1, 50.0)
    assert f.rows == [["0", 1], ["1", 2], ["2", 1], ["3–5", 1], ["6–10", 0], ["over 10", 0]]
    # At the reference-call cap (2 in 30 days) at the end of June: A (4) and B (2); E is paused.
    assert (s["fatigued"], s["fatigue_cap"], s["fatigue_window_days"]) == (2, 2, 30)


def test_gini_is_zero_when_use_is_even_and_none_without_use(program):
    empty = selectors.usage_numbers(selectors.Period(dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    assert empty["activities"] == 0 and empty["gini"] is None


def test_it_compares_win_rates_with_and_without_a_reference(program):
    f = fig("influence")
    s = f.summary
    # With: O5 open 700, O1 won 1000, O4 lost -> 50 %. Without: O6 open 400, O2 won 500, O3 + O9 lost -> 33.3 %.
    assert f.rows == [
        ["With a reference", 1, Decimal("700.00"), 1, Decimal("1000.00"), 1, 50.0],
        ["Without", 1, Decimal("400.00"), 1, Decimal("500.00"), 2, 33.3],
    ]
    assert (s["influenced_pipeline"], s["influenced_revenue"]) == (
        Decimal("700.00"),
        Decimal("1000.00"),
    )


def test_it_counts_referral_leads_and_revenue_by_source(program):
    rows = _by_label(fig("referrals"))
    assert rows["Customer"] == [3, 2, 1, 66.7, Decimal("350.00")]
    assert rows["Partner"] == [1, 0, 0, None, Decimal("0.00")]
    assert rows["Web"] == [1, 0, 1, 0.0, Decimal("0.00")]
    assert fig("referrals").summary == {"leads": 5, "won": 2, "revenue": Decimal("350.00")}


def test_it_sums_points_issued_redeemed_and_outstanding(program):
    f = fig("points")
    # A: earned 200 in June, redeemed 150, expired 50; owed at the end 100+200-150-50 = 100 (July's 30 not yet).
    # Olivia: earned 50, adjusted +10 -> owed 60.
    assert f.rows == [["References", 200, 150, 50, 100], ["Salespeople", 50, 0, 0, 60]]
    assert f.summary == {"issued": 250, "redeemed": 150, "expired": 50, "outstanding": 160}


def test_it_counts_nominations_by_salesperson(program):
    f = fig("nominations")
    assert f.rows == [["olivia@vendor.example", 3, 1, 1, 1], ["paul@vendor.example", 1, 0, 0, 1]]


def test_it_shows_owners_who_decline_approvals(program):
    f = fig("declines")
    assert f.rows == [
        ["Yak Ranch", "paul@vendor.example", 2, 2, 0, 100.0],
        ["Xylo Bank", "olivia@vendor.example", 3, 1, 2, 33.3],
    ]
    assert f.summary == {
        "approvals_asked": 6,
        "declined": 3,
        "decline_percent": 50.0,
        "accounts_declining": 2,
    }


def test_it_shows_references_used_only_in_their_owners_deals(program):
    f = fig("own_deals")
    a, _, c, _, _ = program.refs
    # A: R1 and R3, both Olivia's, who owns Xylo Bank; C: R6, Olivia's, owner of Zed Credit. B served Rita's R2.
    assert f.rows == [
        [a.contact.name, "Xylo Bank", "olivia@vendor.example", 2],
        [c.contact.name, "Zed Credit", "olivia@vendor.example", 1],
    ]
    assert f.chart == [{"label": "olivia@vendor.example", "value": 2}]


def test_the_whole_dashboard_matches_the_figures_one_by_one(program):
    figures = selectors.dashboard(user=program.executive, period=JUNE, now=NOW)
    assert [f.key for f in figures] == list(selectors.FIGURE_KEYS)
    assert figures[0].rows == fig("turnaround").rows


def test_the_rows_behind_a_figure_are_its_rows(program):
    rows = selectors.figure_rows(user=program.pm, key="own_deals", period=JUNE, now=NOW)
    assert [r[4] for r in rows.queryset] == [2, 1]
    requests = selectors.figure_rows(user=program.pm, key="turnaround", period=JUNE, now=NOW)
    assert requests.queryset.count() == 6


def test_salespeople_cannot_read_insights(program):
    with pytest.raises(Forbidden):
        selectors.dashboard(user=program.olivia, period=JUNE)
    with pytest.raises(Forbidden):
        selectors.figure_rows(user=program.rita, key="usage", period=JUNE)


def test_an_unknown_figure_is_not_found(program):
    with pytest.raises(NotFound):
        selectors.figure_get(user=program.pm, key="nope", period=JUNE)


@pytest.mark.parametrize(
    "start,end,field",
    [("2026-06-30", "2026-06-01", "from"), ("1999-12-31", "2026-01-01", "from"), ("2026-01-01", "2099-01-01", "to"),
     ("2010-01-01", "2026-06-01", "to"), ("June", "", "from"), ("", "2026-13-01", "to")],
)  # fmt: skip
def test_it_refuses_a_bad_period_with_a_reason(start, end, field):
    with pytest.raises(InvalidInput) as exc:
        selectors.period_parse(start, end, today=dt.date(2026, 6, 30))
    assert field in exc.value.details


def test_a_blank_period_is_the_last_90_days():
    period = selectors.period_parse("", "", today=dt.date(2026, 6, 30))
    assert (period.start, period.end) == (dt.date(2026, 4, 2), dt.date(2026, 6, 30))


@pytest.mark.django_db(transaction=True)
def test_figures_computed_on_several_connections_at_once_match_one_by_one(program, monkeypatch):
    # Outside a transaction the dashboard spreads its figures over threads with their own connections.
    serial = selectors.dashboard_compute(JUNE, now=NOW, threads=1)
    seen: set[int] = set()
    for key, fn in list(selectors.FIGURES.items()):

        def recording(period, *, now, _fn=fn):
            seen.add(threading.get_ident())
            time.sleep(0.01)  # long enough for the other threads to take their share
            return _fn(period, now=now)

        monkeypatch.setitem(selectors.FIGURES, key, recording)
    threaded = selectors.dashboard_compute(JUNE, now=NOW, threads=3)
    assert len(seen) == 3 and threading.get_ident() not in seen
    assert [f.as_dict() for f in threaded] == [f.as_dict() for f in serial]
    assert [f.key for f in threaded] == list(selectors.FIGURE_KEYS)


@pytest.mark.django_db(transaction=True)
def test_a_figure_failing_in_a_thread_fails_the_dashboard(program, monkeypatch):
    def broken(period, *, now):
        raise RuntimeError("figure broke")

    monkeypatch.setitem(selectors.FIGURES, "points", broken)
    with pytest.raises(RuntimeError, match="figure broke"):
        selectors.dashboard_compute(JUNE, now=NOW, threads=2)


def test_shared_passes_are_computed_once_per_dashboard(program, django_assert_max_num_queries):
    # sla, fulfilment and turnaround share the request counts; industry and region share demand and supply.
    with django_assert_max_num_queries(40) as captured:
        selectors.dashboard_compute(JUNE, now=NOW)
    request_passes = [
        q
        for q in captured.captured_queries
        if '"status_submitted"' in q["sql"] or "status_submitted" in q["sql"]
    ]
    assert len(request_passes) == 1


def test_remembered_pieces_follow_changes_to_the_tables_they_read(program):
    before = fig("supply_industry").summary["supply"]
    assert fig("supply_industry").summary["supply"] == before  # answered from memory
    reference = ReferenceProfile.objects.filter(status="active").first()
    reference.status = "paused"
    reference.save()
    assert fig("supply_industry").summary["supply"] == before - 1
    used = fig("usage").summary["activities"]
    Activity.objects.filter(
        status="completed", occurred_at__gte=JUNE.start_at, occurred_at__lt=JUNE.end_at
    ).exclude(activity_type__in=["logo", "quote"]).first().delete()
    assert fig("usage").summary["activities"] == used - 1


@pytest.mark.django_db
def test_sectors_that_naics_writes_as_ranges_are_one_named_segment():
    """Manufacturing is 31-33 and retail 44-45: their subsectors' first two digits count under
    the range's name, not as bare "31", "33" or "45"."""
    from refdesk.pool.models import NaicsIndustry
    from tests.factories import AccountFactory, ContactFactory, ReferenceFactory

    for code in ("311111", "336110", "445110"):
        account = AccountFactory(industry=NaicsIndustry.objects.get(pk=code))
        ReferenceFactory(contact=ContactFactory(account=account), status="active")
    rows = _by_label(fig("supply_industry"))
    assert rows["31-33 Manufacturing"][1] == 2
    assert rows["44-45 Retail Trade"][1] == 1
    assert not {"31", "33", "44", "45"} & set(rows)
