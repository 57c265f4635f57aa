"""Who may use each portal door (see test_permissions_matrix).

Portal pages are PUBLIC at the URL level: the signed link, not a log-in, is the key. Without a
live portal session every reference page redirects to the "email me a link" page (never to the
staff log-in), and a garbage token answers 400; tests/portal checks the scoping to one person.
"""

from tests.security.roles import ANY, NOT_EXEC, OWNER, PM, PUBLIC, SALES  # noqa: F401

PORTAL_ACCESS: dict = {
    "portal:away-add": PUBLIC,
    "portal:away-remove": PUBLIC,
    "portal:call-ics": PUBLIC,
    "portal:data": PUBLIC,
    "portal:export": PUBLIC,
    "portal:history": PUBLIC,
    "portal:home": PUBLIC,
    "portal:open": PUBLIC,
    "portal:preferences": PUBLIC,
    "portal:redeem": PUBLIC,
    "portal:request": PUBLIC,
    "portal:rewards": PUBLIC,
    "portal:sign-out": PUBLIC,
    "portal:start": PUBLIC,
    "portal:stop": PUBLIC,
    # The program manager's controls.
    "portal:manage": PM,
    "portal:erasure-list": PM,
    "portal:erasure-carry-out": {"GET": ANY, "POST": PM},  # GET: 405 for everyone
    "POST /api/portal/link-requests": PUBLIC,
    "GET /api/portal/{token}": PUBLIC,
    "GET /api/portal/{token}/export": PUBLIC,
    "GET /api/portal/{token}/preferences": PUBLIC,
    "PUT /api/portal/{token}/preferences": PUBLIC,
    "POST /api/portal/{token}/away": PUBLIC,
    "POST /api/portal/{token}/erasure": PUBLIC,
    "POST /api/portal/{token}/redemptions": PUBLIC,
    "POST /api/portal/{token}/requests/{candidate_id}/answer": PUBLIC,
    "POST /api/portal/{token}/stop": PUBLIC,
    "POST /api/references/{reference_id}/portal-link": PM,
    "POST /api/references/{reference_id}/portal-revoke": PM,
}
