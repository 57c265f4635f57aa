"""Change stamps: inserts, updates and deletes each change a table's stamp, without COUNT(*)."""

import time

import pytest

from refdesk.core import changes
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


@pytest.fixture
def in_request():
    """Inside a web request as the handlers signal it (the stamps snapshot lives for one request)."""
    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    yield
    request_finished.send(sender=None)


def test_a_request_stamps_every_table_once_until_it_writes(in_request, django_assert_num_queries):
    from refdesk.activities.models import Activity

    stamps(Account)  # on PostgreSQL the connection's first snapshot also prepares the query
    AccountFactory()
    with django_assert_num_queries(1):
        first = stamps(ReferenceProfile)
        stamps(Activity, Account)  # read from the request's snapshot
    ref = ReferenceFactory()  # a write: the next stamps are read again
    with django_assert_num_queries(1):
        after = stamps(ReferenceProfile)
    assert after != first and after[0][0] == ref.pk


def test_a_write_to_a_table_no_stamp_reads_keeps_the_snapshot(in_request, django_assert_num_queries, program_manager):
    from refdesk.people.services import audit_contact_view

    stamps(ReferenceProfile)
    with django_assert_num_queries(1):  # the audit row only
        audit_contact_view(program_manager, [1, 2], "api")
        stamps(ReferenceProfile)


def test_a_write_without_save_also_renews_the_snapshot(in_request):
    ref = ReferenceFactory()
    before = stamps(ReferenceProfile)
    ReferenceProfile.objects.filter(pk=ref.pk).delete()  # a queryset delete: the count moves
    assert stamps(ReferenceProfile) != before


def test_outside_a_request_every_call_reads(django_assert_num_queries):
    with django_assert_num_queries(2):
        stamps(ReferenceProfile)
        stamps(ReferenceProfile)


def test_an_answer_computed_in_a_transaction_is_kept_only_if_it_wrote_nothing_it_reads():
    from django.db import transaction

    from refdesk.core.changes import remembered

    calls = []

    def compute():
        calls.append(1)
        return ReferenceProfile.objects.count()

    with transaction.atomic():
        AccountFactory()  # writes accounts, not references
        assert remembered(("t", 1), (ReferenceProfile,), compute, max_age=60) == 0
    assert remembered(("t", 1), (ReferenceProfile,), compute, max_age=60) == 0
    assert len(calls) == 1  # kept: the transaction wrote no reference
    with transaction.atomic():
        ReferenceFactory()
        assert remembered(("t", 2), (ReferenceProfile,), compute, max_age=60) == 1
        transaction.set_rollback(True)
    assert remembered(("t", 2), (ReferenceProfile,), compute, max_age=60) == 0  # the rolled-back count was not kept


def test_settings_row_is_a_copy_and_follows_changes():
    from refdesk.core.changes import settings_row
    from refdesk.matching.models import MatchingSettings

    first = settings_row(MatchingSettings)
    first.nps_threshold = 3  # changed but not saved: nobody else sees it
    assert settings_row(MatchingSettings).nps_threshold != 3
    first.save()
    assert settings_row(MatchingSettings).nps_threshold == 3


def test_stamps_survive_a_new_connection_and_can_skip_prepare(in_request, settings):
    """The prepared stamps query is prepared again on a new connection, and not at all when turned off."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = stamps(ReferenceProfile)
    connection.close()  # the next query opens a new connection (as after a database restart)
    _request_snapshot_reset()
    assert stamps(ReferenceProfile) == first
    settings.REFDESK_PG_PREPARED_STAMPS = False
    _request_snapshot_reset()
    with CaptureQueriesContext(connection) as captured:
        assert stamps(ReferenceProfile) == first
    assert [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("PREPARE", "EXECUTE"))] == []


def _request_snapshot_reset():
    from refdesk.core import changes

    changes._request.snapshot = None


def test_a_shared_answer_serves_another_process_until_its_tables_change():
    from refdesk.core import changes

    calls = []

    def compute():
        calls.append(1)
        return ReferenceProfile.objects.count()

    assert changes.remembered(("shared", 1), (ReferenceProfile,), compute, shared=True) == 0
    with changes._remembered_lock:
        changes._remembered.clear()  # as if another worker process asked next
    assert changes.remembered(("shared", 1), (ReferenceProfile,), compute, shared=True) == 0
    assert len(calls) == 1, "the other process's answer was read from the shared cache"
    ReferenceFactory()
    with changes._remembered_lock:
        changes._remembered.clear()
    assert changes.remembered(("shared", 1), (ReferenceProfile,), compute, shared=True) == 1
    assert len(calls) == 2, "stale once the references changed"
    assert changes.remembered(("shared", 2), (ReferenceProfile,), lambda: "other", shared=True) == "other"


def test_an_answer_shared_by_an_older_version_of_the_code_is_not_read(monkeypatch):
    """After an upgrade the pool is unchanged, but pages rendered by the old templates (or values
    shaped by the old code) must not be served: the shared answers are kept per code version."""
    from refdesk.core import changes

    assert changes.code_version() == changes.code_version()  # read once per process
    assert changes.remembered(("upgrade", 1), (ReferenceProfile,), lambda: "old page", shared=True) == "old page"
    with changes._remembered_lock:
        changes._remembered.clear()  # a new process after the upgrade…
    monkeypatch.setattr(changes, "_code_version", "another version")  # …running other code
    assert changes.remembered(("upgrade", 1), (ReferenceProfile,), lambda: "new page", shared=True) == "new page"


def test_the_code_fingerprint_follows_the_files(tmp_path):
    from refdesk.core import changes

    (tmp_path / "views.py").write_text("one")
    (tmp_path / "__pycache__").mkdir()
    first = changes.files_fingerprint(tmp_path)
    (tmp_path / "__pycache__" / "views.pyc").write_text("compiled")
    assert changes.files_fingerprint(tmp_path) == first  # compiled files do not count
    (tmp_path / "views.py").write_text("two, longer")
    assert changes.files_fingerprint(tmp_path) != first
    (tmp_path / "views.py").unlink()
    assert changes.files_fingerprint(tmp_path) != first


def test_stamps_still_read_after_a_rollback_to_a_savepoint(in_request):
    """psycopg answers a ROLLBACK with DEALLOCATE ALL when it prepares statements itself: the
    stamps query must not rely on a statement prepared by hand then."""
    from django.db import transaction

    from refdesk.core import changes

    for _ in range(8):  # often enough for psycopg to prepare what it runs
        changes._request.snapshot = None
        stamps(ReferenceProfile)
    with transaction.atomic():  # a savepoint, rolled back
        AccountFactory()
        transaction.set_rollback(True)
    changes._request.snapshot = None
    assert stamps(ReferenceProfile)


def test_the_shared_lock_holds_a_key_against_other_holders():
    """One holder at a time per key (a file lock: between processes, and between threads too)."""
    import threading

    order = []
    held = threading.Event()

    def other():
        held.wait()
        with changes.shared_lock(("lock test", 1)):
            order.append("other")

    thread = threading.Thread(target=other)
    thread.start()
    with changes.shared_lock(("lock test", 1)):
        held.set()
        time.sleep(0.3)
        with changes.shared_lock(("lock test", 2)):  # another key is not held
            order.append("first")
    thread.join(5)
    assert order == ["first", "other"]


def test_the_shared_lock_files_are_owner_only(settings, tmp_path):
    import stat

    settings.CACHES = {**settings.CACHES, "shared": {**settings.CACHES["shared"], "LOCATION": str(tmp_path / "cache")}}
    with changes.shared_lock(("mode test",)):
        pass
    folder = tmp_path / "cache"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [stat.S_IMODE(f.stat().st_mode) for f in folder.iterdir()] == [0o600]
