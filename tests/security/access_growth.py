"""Who may use each growth and referrals door (see test_permissions_matrix)."""

from tests.security.roles import ANY, NOT_EXEC, OWNER, PM, PUBLIC, SALES  # noqa: F401

GROWTH_ACCESS = {
    "growth:balances": ANY,
    "growth:confirm": PUBLIC,  # a signed link from an email
    "growth:confirm-done": PUBLIC,
    "growth:home": ANY,
    "growth:imports": PM,
    "growth:lookalikes": ANY,
    "growth:nomination-create": {"GET": SALES, "POST": SALES},
    "growth:nomination-list": ANY,
    "growth:nomination-review": ANY,  # POST on an unknown nomination: 404 for all
    "growth:readiness": ANY,
    "growth:reference-invite": {"GET": ANY, "POST": PM},
    "growth:stale": ANY,
    "growth:stale-sweep": {"GET": ANY, "POST": PM},
    # The page answers an empty form with a redirect and a message for everyone, while
    # POST /api/growth/wishes refuses requesters and executives: worth a look by its owner.
    "growth:wish-add": ANY,
    "referrals:cross-sell": ANY,
    "referrals:home": ANY,
    "referrals:lead-create": {"GET": SALES, "POST": SALES},
    "referrals:lead-detail": ANY,
    "referrals:lead-list": ANY,
    "referrals:thank-you-done": ANY,
    "GET /api/growth/lookalikes": ANY,
    "GET /api/growth/nominations": ANY,
    "GET /api/growth/readiness": ANY,
    "GET /api/growth/stale": ANY,
    "GET /api/referrals/leads": ANY,
    "GET /api/referrals/sources": ANY,
    "POST /api/growth/givebacks": OWNER,
    "POST /api/growth/nominations": SALES,
    "POST /api/growth/nominations/{nomination_id}/review": PM,
    "POST /api/growth/references/{reference_id}/invite": PM,
    "POST /api/growth/wins": PM,
    "POST /api/growth/wishes": SALES,
    "POST /api/referrals/leads": SALES,
    "POST /api/referrals/leads/{lead_id}/stage": ANY,
}
