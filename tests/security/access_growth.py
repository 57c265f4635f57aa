"""Who may use each growth and referrals door (see test_permissions_matrix).

Doors on an object the matrix's world does not hold (a fee, a plan item, an escalation…) answer
404 to everyone, so they are ANY here; their real rules are tested in tests/growth and tests/referrals.
"""

from tests.security.roles import ANY, NOT_EXEC, OWNER, PM, PUBLIC, SALES  # noqa: F401

GROWTH_ACCESS = {
    "growth:balances": ANY,
    "growth:confirm": PUBLIC,  # a signed link from an email
    "growth:confirm-done": PUBLIC,
    "growth:escalation-close": ANY,  # POST on an unknown escalation: 404 for all
    "growth:escalation-list": {
        "GET": ANY,
        "POST": SALES,
    },  # other reps: the empty form fails as for the PM
    "growth:home": ANY,
    "growth:imports": PM,
    "growth:lookalikes": ANY,
    "growth:milestone-done": ANY,  # POST on an unknown milestone: 404 for all
    "growth:nomination-create": {"GET": SALES, "POST": SALES},
    "growth:nomination-list": ANY,
    "growth:nomination-review": ANY,  # POST on an unknown nomination: 404 for all
    "growth:onboarding": {"GET": ANY, "POST": SALES},
    "growth:readiness": ANY,
    "growth:reference-invite": {"GET": ANY, "POST": PM},
    "growth:settings": PM,
    "growth:stale": ANY,
    "growth:stale-sweep": {"GET": ANY, "POST": PM},
    # Page and API ask the same permissions.can_wish: program managers and salespeople.
    "growth:wish-add": {"GET": ANY, "POST": SALES},
    "growth:wish-remove": ANY,  # POST on an unknown wish: 404 for all
    "referrals:cost-list": {"GET": ANY, "POST": PM},
    "referrals:cross-sell": ANY,
    "referrals:fee-list": {"GET": ANY, "POST": PM},
    "referrals:fee-pay": {"GET": ANY, "POST": PM},
    "referrals:fee-rule-toggle": {"GET": ANY, "POST": PM},
    "referrals:home": ANY,
    "referrals:lead-create": {"GET": SALES, "POST": SALES},
    "referrals:lead-detail": ANY,
    "referrals:lead-list": ANY,
    "referrals:passed-list": {"GET": ANY, "POST": SALES},
    "referrals:plan-list": {"GET": ANY, "POST": SALES},
    "referrals:plan-update": ANY,  # POST on an unknown plan item: 404 for all
    "referrals:target-list": {"GET": ANY, "POST": PM},
    "referrals:thank-you-done": ANY,
    "GET /api/growth/balances": ANY,
    "GET /api/growth/escalations": ANY,
    "GET /api/growth/givebacks": ANY,
    "GET /api/growth/lookalikes": ANY,
    "GET /api/growth/milestones": ANY,
    "GET /api/growth/nominations": ANY,
    "GET /api/growth/readiness": ANY,
    "GET /api/growth/settings": ANY,
    "GET /api/growth/stale": ANY,
    "GET /api/growth/surveys": ANY,
    "GET /api/growth/wins": ANY,
    "GET /api/growth/wishes": ANY,
    "GET /api/referrals/costs": ANY,
    "GET /api/referrals/cross-sell": ANY,
    "GET /api/referrals/fee-rules": ANY,
    "GET /api/referrals/fees": ANY,
    "GET /api/referrals/leads": ANY,
    "GET /api/referrals/leads/{lead_id}": ANY,  # unknown lead: 404 for all
    "GET /api/referrals/passed": ANY,
    "GET /api/referrals/plan": ANY,
    "GET /api/referrals/sources": ANY,
    "GET /api/referrals/targets": ANY,
    "GET /api/referrals/thank-yous": ANY,
    "POST /api/growth/escalations": OWNER,
    "POST /api/growth/escalations/{escalation_id}/close": ANY,  # unknown escalation: 404 for all
    "POST /api/growth/givebacks": OWNER,
    "POST /api/growth/milestones": OWNER,
    "POST /api/growth/milestones/{milestone_id}/done": ANY,  # unknown milestone: 404 for all
    "POST /api/growth/nominations": SALES,
    "POST /api/growth/nominations/{nomination_id}/review": PM,
    "POST /api/growth/references/{reference_id}/invite": PM,
    "POST /api/growth/settings": PM,
    "POST /api/growth/wins": PM,
    "POST /api/growth/wishes": SALES,
    "POST /api/growth/wishes/{wish_id}/remove": ANY,  # unknown wish: 404 for all
    "POST /api/referrals/costs": PM,
    "POST /api/referrals/fee-rules": PM,
    "POST /api/referrals/fee-rules/{rule_id}/active": PM,
    "POST /api/referrals/fees/{fee_id}/pay": PM,
    "POST /api/referrals/leads": SALES,
    "POST /api/referrals/leads/{lead_id}/stage": ANY,
    "POST /api/referrals/passed": OWNER,
    "POST /api/referrals/plan": SALES,
    "POST /api/referrals/plan/{item_id}": ANY,  # unknown plan item: 404 for all
    "POST /api/referrals/targets": PM,
    "POST /api/referrals/thank-yous/{thank_you_id}/done": ANY,  # unknown thank-you: 404 for all
}
