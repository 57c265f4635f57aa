"""Who may use each portal door (see test_permissions_matrix).

Portal pages are PUBLIC at the URL level: the signed link, not a log-in, is the key.
"""

from tests.security.roles import ANY, NOT_EXEC, OWNER, PM, PUBLIC, SALES  # noqa: F401

PORTAL_ACCESS: dict = {}
