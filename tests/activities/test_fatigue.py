"""Caps and cool-downs at their edges, overrides, and a reference's own limit."""

import datetime as dt

import pytest

from refdesk.activities import fatigue, selectors, services
from refdesk.activities.fatigue import ReferenceLimits, TypeRule, load_of
from refdesk.core.errors import Forbidden, InvalidInput
from tests.factories import ReferenceFactory

TODAY = dt.date(2026, 11, 23)
CALL = "reference_call"
RULE = TypeRule(
    short_cap=2, short_window_days=30, long_cap=6, long_window_days=90, cooldown_days=14
)


def days_ago(*ns, kind=CALL):
    return [(kind, TODAY - dt.timedelta(days=n)) for n in ns]


def test_two_calls_in_a_month_reach_the_cap_until_the_older_leaves_the_window():
    # Calls 20 and 29 days ago: the older leaves the 30-day window on day 30.
    history = days_ago(29, 20)
    load = load_of(history, activity_type=CALL, rule=RULE, today=TODAY)
    cap = [b for b in load.blocks if b.rule == "cap"]
    assert cap and cap[0].until == TODAY + dt.timedelta(days=1)
    day_before = load_of(history, activity_type=CALL, rule=RULE, today=TODAY)
    day_of = load_of(history, activity_type=CALL, rule=RULE, today=TODAY + dt.timedelta(days=1))
    assert any(b.rule == "cap" for b in day_before.blocks)
    assert not any(b.rule == "cap" for b in day_of.blocks)
    assert day_of.short_count == 1


def test_a_cool_down_holds_the_day_before_and_ends_on_its_last_day():
    history = days_ago(10)
    end = TODAY + dt.timedelta(days=4)
    before = load_of(history, activity_type=CALL, rule=RULE, today=end - dt.timedelta(days=1))
    on = load_of(history, activity_type=CALL, rule=RULE, today=end)
    after = load_of(history, activity_type=CALL, rule=RULE, today=end + dt.timedelta(days=1))
    assert [b.rule for b in before.blocks] == ["cooldown"] and before.free_from == end
    assert not on.blocks and not after.blocks


def test_the_long_window_caps_six_a_quarter():
    history = days_ago(85, 75, 65, 55, 45, 35)
    load = load_of(history, activity_type=CALL, rule=RULE, today=TODAY)
    assert load.long_count == 6 and load.short_count == 0
    assert [b.rule for b in load.blocks] == ["cap"]
    assert load.free_from == TODAY + dt.timedelta(days=5)  # the call 85 days ago leaves on day 90
    assert not load_of(
        history, activity_type=CALL, rule=RULE, today=TODAY + dt.timedelta(days=5)
    ).blocks


def test_caps_count_only_their_type_but_cool_down_follows_any_activity():
    history = days_ago(25, 20, kind="media")
    load = load_of(history, activity_type=CALL, rule=RULE, today=TODAY)
    assert load.short_count == 0
    assert [b.rule for b in load.blocks] == []  # 20 days ago is past the 14-day cool-down
    recent = days_ago(3, kind="media")
    assert [b.rule for b in load_of(recent, activity_type=CALL, rule=RULE, today=TODAY).blocks] == [
        "cooldown"
    ]


def test_an_override_raises_or_lowers_a_cap_for_one_reference():
    history = days_ago(29, 20)
    looser = ReferenceLimits(short_cap=3)
    tighter = ReferenceLimits(short_cap=1)
    assert not load_of(history, activity_type=CALL, rule=RULE, limits=looser, today=TODAY).blocks
    assert load_of(days_ago(20), activity_type=CALL, rule=RULE, limits=tighter, today=TODAY).blocks


def test_their_own_monthly_limit_wins_over_a_looser_override():
    history = days_ago(20) + days_ago(18, kind="speaking")
    limits = ReferenceLimits(monthly_limit=2, short_cap=5, long_cap=10, cooldown_days=0)
    load = load_of(history, activity_type=CALL, rule=RULE, limits=limits, today=TODAY)
    assert [b.rule for b in load.blocks] == ["own_limit"]
    assert load.free_from == TODAY + dt.timedelta(days=10)  # the call 20 days ago leaves the month


def test_passive_activities_are_never_blocked():
    assert not load_of(days_ago(1, 2, 3), activity_type="logo", rule=RULE, today=TODAY).blocks


def test_busiest_share_counts_the_top_tenth_of_references():
    assert fatigue.busiest_share([10] + [0] * 9) == 1.0
    assert fatigue.busiest_share([5, 5] + [1] * 18) == pytest.approx(10 / 28)
    assert fatigue.busiest_share([]) == 0.0


@pytest.mark.django_db
def test_rules_and_limits_are_stored_and_read_back(program_manager, owner_rep):
    ref = ReferenceFactory()
    services.fatigue_rule_set(
        actor=program_manager, activity_type="reference_call", short_cap="3", cooldown_days="7"
    )
    rule = selectors.fatigue_rules()["reference_call"]
    assert (rule.short_cap, rule.long_cap, rule.cooldown_days) == (3, 6, 7)
    services.fatigue_rule_set(actor=program_manager, activity_type="reference_call", short_cap="")
    assert selectors.fatigue_rules()["reference_call"].short_cap is None
    services.reference_fatigue_set(actor=program_manager, reference=ref, monthly_limit="1")
    assert selectors.reference_limits([ref.pk])[ref.pk].monthly_limit == 1
    with pytest.raises(InvalidInput) as err:
        services.fatigue_rule_set(
            actor=program_manager, activity_type="reference_call", short_window_days="400"
        )
    assert "short_window_days" in err.value.details
    with pytest.raises(InvalidInput):
        services.fatigue_rule_set(actor=program_manager, activity_type="dinner")
    with pytest.raises(Forbidden):
        services.reference_fatigue_set(actor=owner_rep, reference=ref, monthly_limit=3)


@pytest.mark.django_db
def test_the_matcher_exclusions_follow_the_log_and_reset_when_the_window_passes(program_manager):
    busy, idle = ReferenceFactory(), ReferenceFactory()
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    for n in (29, 20):
        services.activity_log(actor=program_manager, reference_id=busy.pk, activity_type=CALL,
                              occurred_at=now - dt.timedelta(days=n))  # fmt: skip
    blocked = selectors.fatigue_exclusions(activity_type=CALL, today=TODAY)
    assert set(blocked) == {busy.pk} and blocked[busy.pk].rule == "cap"
    assert (
        selectors.fatigue_exclusions(activity_type=CALL, today=TODAY + dt.timedelta(days=1)) == {}
    )
    # A case study is capped separately: two calls only hold it through its 30-day cool-down.
    assert (
        selectors.fatigue_exclusions(activity_type="case_study", today=TODAY)[busy.pk].rule
        == "cooldown"
    )
    assert (
        selectors.fatigue_exclusions(
            activity_type="case_study", today=TODAY + dt.timedelta(days=10)
        )
        == {}
    )
    services.reference_fatigue_set(actor=program_manager, reference=idle, monthly_limit=0)
    assert (
        selectors.fatigue_exclusions(activity_type="case_study", today=TODAY)[idle.pk].rule
        == "own_limit"
    )


@pytest.mark.django_db
def test_setting_only_their_own_limit_keeps_the_program_managers_override(program_manager):
    ref = ReferenceFactory()
    services.reference_fatigue_set(
        actor=program_manager, reference=ref, short_cap=4, cooldown_days=3
    )
    services.reference_fatigue_set(
        actor=None, reference=ref, monthly_limit=2
    )  # e.g. from the portal
    assert selectors.reference_limits([ref.pk])[ref.pk] == ReferenceLimits(
        monthly_limit=2, short_cap=4, cooldown_days=3
    )
