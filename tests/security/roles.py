"""Who a door is for: the role sets the permission tables use."""

PUBLIC = "public"  # anyone, logged in or not
ANY = frozenset({"program_manager", "owner_rep", "other_rep", "requester", "executive"})
NOT_EXEC = ANY - {"executive"}  # executives only read
PM = frozenset({"program_manager"})
OWNER = frozenset({"program_manager", "owner_rep"})  # the program manager and the account's owner
PM_AND_REQUESTER = frozenset({"program_manager", "requester"})
ON_REQUEST = ANY - {"other_rep"}  # people with a part in the request, and read-only roles
SALES = frozenset({"program_manager", "owner_rep", "other_rep"})  # program managers and salespeople
ADMIN = PM  # the Django admin: staff (program managers) only; under /admin/
