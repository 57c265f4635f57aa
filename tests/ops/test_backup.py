"""`refdesk backup` / `refdesk restore`: data changed or deleted after a backup comes back."""

import pytest
from django.db import connection

from refdesk.cli import main
from refdesk.core import backup
from refdesk.core.errors import RefdeskError
from refdesk.pool.models import Account, Contact
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_round_trip_brings_changed_and_deleted_data_back(tmp_path, capsys):
    account = AccountFactory(name="Prairie Cattle Co")
    contact = ContactFactory(account=account, name="Dana Diaz", email="dana@prairie.example")
    path = tmp_path / f"refdesk.{connection.vendor}.backup"
    assert main(["backup", str(path)]) == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert backup.backup_kind(path) == connection.vendor

    Contact.objects.filter(pk=contact.pk).update(name="Changed")
    AccountFactory(name="Added after the backup")
    ContactFactory(account=account, email="new@prairie.example")
    Contact.objects.filter(email="new@prairie.example").delete()

    assert main(["restore", str(path), "--yes"]) == 0
    assert "Restored" in capsys.readouterr().out
    connection.close()
    assert Contact.objects.get(pk=contact.pk).name == "Dana Diaz"
    assert list(Account.objects.values_list("name", flat=True)) == ["Prairie Cattle Co"]


def test_restore_asks_for_confirmation_when_not_on_a_terminal(tmp_path, capsys, monkeypatch):
    path = tmp_path / "b.backup"
    main(["backup", str(path)])
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["restore", str(path)]) == 1
    assert "--yes" in capsys.readouterr().err


def test_it_refuses_a_file_that_is_not_a_backup_for_this_database(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert main(["restore", str(path), "--yes"]) == 1
    assert "not a Refdesk backup" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing"), "--yes"]) == 1


def test_missing_postgresql_tools_are_named_clearly(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr("glob.glob", lambda pattern: [])
    with pytest.raises(
        RefdeskError, match="pg_dump was not found on PATH or in /usr/lib/postgresql"
    ):
        backup.find_pg_tool("pg_dump")


def test_tools_are_found_in_the_debian_folders(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.setattr(
        "glob.glob",
        lambda pattern: [
            "/usr/lib/postgresql/13/bin/pg_dump",
            "/usr/lib/postgresql/15/bin/pg_dump",
        ],
    )
    monkeypatch.setattr("os.access", lambda path, mode: True)
    assert backup.find_pg_tool("pg_dump") == "/usr/lib/postgresql/15/bin/pg_dump"
