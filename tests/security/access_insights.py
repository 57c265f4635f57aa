"""Who may use each insights door (see test_permissions_matrix)."""

from tests.security.roles import ANY, NOT_EXEC, OWNER, PM, PUBLIC, SALES  # noqa: F401

# The dashboard names owners who decline approvals and keep references to their own deals:
# it is for the program manager and executives; salespeople and requesters are refused.
READERS = frozenset({"program_manager", "executive"})

_FIGURES = ("turnaround", "sla", "fulfilment", "acceptance", "due_soon", "nominations_waiting", "supply_industry",
            "supply_product", "supply_region", "usage", "influence", "referrals", "points", "nominations", "declines",
            "own_deals")  # fmt: skip

INSIGHTS_ACCESS: dict = {
    "insights:home": READERS,
    "insights:figure-rows": READERS,
    "insights:figure-export": READERS,
    "insights:rows-export": READERS,
    # Executives read the opportunities; only the program manager uploads (POST) or edits one.
    "insights:opportunity-list": {"GET": READERS, "POST": PM},
    "insights:opportunity-edit": PM,
    "GET /api/insights/dashboard": READERS,
    "GET /api/insights/rows/{figure}": READERS,
    "GET /api/insights/opportunities": READERS,
    "POST /api/insights/opportunities": PM,
    **{f"GET /api/insights/{key}": READERS for key in _FIGURES},
}
