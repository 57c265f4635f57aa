"""Change stamps: inserts, updates and deletes each change a table's stamp, without COUNT(*)."""

import pytest

from refdesk.core.changes import stamps
from refdesk.pool.models import Account, ReferenceProfile
from tests.factories import AccountFactory, ReferenceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_kind_of_write_changes_the_stamp():
    empty = stamps(ReferenceProfile)
    assert empty == ((None, None, 0),)
    ref = ReferenceFactory()
    added = stamps(ReferenceProfile)
    assert added[0][0] == ref.pk and added[0][1] is not None
    ref.topics = ["payroll"]
    ref.save()
    changed = stamps(ReferenceProfile)
    assert changed[0][1] > added[0][1] or changed != added
    ref.delete()
    gone = stamps(ReferenceProfile)
    assert gone[0][2] == 1
    assert len({empty, added, changed, gone}) == 4


def test_one_query_stamps_several_tables(django_assert_num_queries):
    AccountFactory()
    with django_assert_num_queries(1):
        both = stamps(Account, ReferenceProfile)
    assert len(both) == 2 and both[0][0] is not None


def test_an_untracked_table_is_refused():
    from refdesk.people.models import AuditEntry

    with pytest.raises(ValueError):
        stamps(AuditEntry)
