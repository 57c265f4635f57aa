"""The dashboard is computed once per period and shown for REFDESK_INSIGHTS_MAX_AGE seconds."""

import datetime as dt
from decimal import Decimal

import pytest

from refdesk.insights import selectors
from refdesk.insights.choices import OpportunityStage
from refdesk.insights.models import Opportunity

JUNE = "from=2026-06-01&to=2026-06-30"


def _open_opportunity():
    Opportunity.objects.create(crm_id="LATE-1", prospect="Late Prospect", stage=OpportunityStage.OPEN,
                               amount=Decimal("5000"), created_on=dt.date(2026, 6, 10))  # fmt: skip


def _opportunities_count(html: str) -> str:
    section = html.split('id="influence"', 1)[1]
    return section.split("<dt>Without open</dt><dd>", 1)[1].split("<", 1)[0]


@pytest.fixture
def fresh_allowed(monkeypatch):
    monkeypatch.setattr(selectors, "FRESH_MIN_AGE", 0.0)


def test_it_shows_the_same_snapshot_to_readers_within_the_max_age(client_for, program, settings):
    settings.REFDESK_INSIGHTS_MAX_AGE = 600
    client = client_for(program.pm)
    first = client.get(f"/insights/?{JUNE}").content.decode()
    _open_opportunity()
    client.force_login(program.executive)
    second = client.get(f"/insights/?{JUNE}").content.decode()
    assert _opportunities_count(second) == _opportunities_count(first)
    assert "computed" in second and "fresh=1" in second


def test_asking_for_fresh_figures_recomputes_them(client_for, program, settings, fresh_allowed):
    settings.REFDESK_INSIGHTS_MAX_AGE = 600
    client = client_for(program.pm)
    before = _opportunities_count(client.get(f"/insights/?{JUNE}").content.decode())
    _open_opportunity()
    after = _opportunities_count(client.get(f"/insights/?{JUNE}&fresh=1").content.decode())
    assert int(after) == int(before) + 1


def test_fresh_is_not_recomputed_again_within_a_few_seconds(program):
    period = selectors.period_parse("2026-06-01", "2026-06-30")
    first = selectors.dashboard_snapshot(user=program.pm, period=period)
    again = selectors.dashboard_snapshot(user=program.pm, period=period, fresh=True)
    assert again.computed_at == first.computed_at


def test_a_max_age_of_zero_computes_every_time(client_for, program, settings):
    settings.REFDESK_INSIGHTS_MAX_AGE = 0
    client = client_for(program.pm)
    before = _opportunities_count(client.get(f"/insights/?{JUNE}").content.decode())
    _open_opportunity()
    after = _opportunities_count(client.get(f"/insights/?{JUNE}").content.decode())
    assert int(after) == int(before) + 1


def test_each_period_has_its_own_snapshot(program, settings):
    settings.REFDESK_INSIGHTS_MAX_AGE = 600
    june = selectors.dashboard_snapshot(user=program.pm, period=selectors.period_parse("2026-06-01", "2026-06-30"))
    may = selectors.dashboard_snapshot(user=program.pm, period=selectors.period_parse("2026-05-01", "2026-05-31"))
    assert (june.period.start, may.period.start) == (dt.date(2026, 6, 1), dt.date(2026, 5, 1))
    influence = {s.period.start: next(f for f in s.figures if f.key == "influence") for s in (june, may)}
    assert influence[dt.date(2026, 6, 1)].summary != influence[dt.date(2026, 5, 1)].summary


def test_the_api_says_when_the_figures_were_computed(client_for, program, settings, fresh_allowed):
    settings.REFDESK_INSIGHTS_MAX_AGE = 600
    client = client_for(program.pm)
    first = client.get("/api/insights/dashboard?from=2026-06-01&to=2026-06-30").json()
    _open_opportunity()
    cached = client.get("/api/insights/dashboard?from=2026-06-01&to=2026-06-30").json()
    fresh = client.get("/api/insights/dashboard?from=2026-06-01&to=2026-06-30&fresh=true").json()
    assert cached["computed_at"] == first["computed_at"]
    assert fresh["computed_at"] > first["computed_at"]


def test_salespeople_get_no_snapshot(program):
    from refdesk.core.errors import Forbidden

    with pytest.raises(Forbidden):
        selectors.dashboard_snapshot(user=program.olivia, period=selectors.period_parse("2026-06-01", "2026-06-30"))


def test_another_worker_process_reads_the_snapshot_this_one_computed(program, settings, django_assert_num_queries):
    """Kept in the server's shared cache: a process without its own copy (here: ours, forgotten)
    shows the same figures without computing them."""
    settings.REFDESK_INSIGHTS_MAX_AGE = 600
    period = selectors.period_parse("2026-06-01", "2026-06-30")
    first = selectors.dashboard_snapshot(user=program.pm, period=period)
    selectors._snapshots.clear()  # as a process that has computed nothing yet
    _open_opportunity()
    with django_assert_num_queries(0):
        again = selectors.dashboard_snapshot(user=program.pm, period=period)
    assert again.computed_at == first.computed_at
    assert [f.summary for f in again.figures] == [f.summary for f in first.figures]

    settings.REFDESK_INSIGHTS_MAX_AGE = 0  # too old for this reader: computed afresh
    selectors._snapshots.clear()
    assert selectors.dashboard_snapshot(user=program.pm, period=period).computed_at > first.computed_at
