"""Who may use each insights door (see test_permissions_matrix)."""

from tests.security.roles import ANY, NOT_EXEC, OWNER, PM, PUBLIC, SALES  # noqa: F401

INSIGHTS_ACCESS: dict = {}
