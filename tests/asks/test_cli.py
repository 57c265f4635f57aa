"""`refdesk request …`."""

import json

from refdesk.asks.models import ReferenceRequest
from refdesk.cli import main


def test_it_creates_lists_shows_and_expires_requests(requester, ranch_pool, capsys):
    assert main(["request", "create", "--requester", requester.email, "--prospect", "Big Sky", "--industry", "cattle ranch",
                 "--country", "US", "--employees", "300", "--product", "Herd Tracker", "--json"]) == 0  # fmt: skip
    created = json.loads(capsys.readouterr().out)
    assert created["status"] == "candidates_proposed" and created["candidates"]
    assert main(["request", "list", "--status", "open", "--json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [created["id"]]
    assert main(["request", "show", str(created["id"])]) == 0
    assert "request.submitted" in capsys.readouterr().out
    ReferenceRequest.objects.update(needed_by="2000-01-01")
    assert main(["request", "expire-overdue"]) == 0
    assert "Expired 1 request" in capsys.readouterr().out
    assert main(["request", "expire-overdue"]) == 0
    assert "Expired 0 request" in capsys.readouterr().out


def test_errors_are_one_line_and_exit_1(requester, ranch_pool, capsys):
    assert main(["request", "create", "--requester", "nobody@x.example", "--prospect", "A", "--industry", "ranch"]) == 1
    assert capsys.readouterr().err.startswith("refdesk: No user")
    assert main(["request", "create", "--requester", requester.email, "--prospect", "A", "--industry", "cattle", "--references", "9"]) == 1
    assert "references_needed" in capsys.readouterr().err
    assert main(["request", "show", "999"]) == 1
