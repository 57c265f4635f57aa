"""`refdesk match … --json`: the contract's shape, and clear errors."""

import json

import pytest

from refdesk.cli import main
from tests.matching.test_match import reference

pytestmark = pytest.mark.django_db


def run(capsys, *argv):
    code = main(["match", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_it_prints_the_ranked_candidates_as_json_in_the_agreed_shape(capsys):
    ranch = reference("Big Sky Cattle Ranch", industry="112111", country="US")
    reference("First Prairie Bank", industry="522110", country="US", products=["Ledger"])
    code, out, err = run(
        capsys, "--industry", "cattle ranch", "--product", "Ledger", "--country", "US", "--json"
    )
    assert code == 0, err
    data = json.loads(out)
    assert set(data) >= {"industry", "candidates", "content", "excluded_count"}
    assert set(data["industry"][0]) == {"code", "title", "score"}
    first = data["candidates"][0]
    assert {"contact_id", "email", "account", "score", "reasons"} <= set(first)
    assert (first["contact_id"], first["email"], first["account"]) == (
        ranch.contact_id,
        ranch.contact.email,
        "Big Sky Cattle Ranch",
    )
    assert set(first["reasons"][0]) == {"criterion", "matched", "points"}
    assert first["availability"] == "free"


def test_it_never_proposes_the_prospect_itself(capsys):
    reference("Big Sky Cattle Ranch", industry="112111")
    other = reference("Open Range Beef", industry="112111")
    code, out, _ = run(
        capsys, "--industry", "1121", "--prospect", "BIG SKY CATTLE RANCH, INC.", "--json"
    )
    assert code == 0
    assert [c["reference_id"] for c in json.loads(out)["candidates"]] == [other.pk]


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--activity", "dinner"], "activity_type"),
        (["--country", "Atlantis"], "country"),
        (["--limit", "0"], "limit"),
        (["--limit", "101"], "limit"),
        (["--limit", "ten"], "--limit"),
        (["--employees", "lots"], "--employees"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_code_1(capsys, argv, words):
    code, out, err = run(capsys, "--industry", "bank", *argv, "--json")
    assert code == 1
    assert out == ""
    assert err.startswith("refdesk: ") and words in err and err.count("\n") == 1


def test_without_json_it_prints_a_readable_list(capsys):
    reference("Big Sky Cattle Ranch", industry="112111")
    code, out, _ = run(capsys, "--industry", "cattle ranch")
    assert code == 0
    assert "Big Sky Cattle Ranch" in out and "industry:" in out
