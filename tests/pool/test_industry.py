"""Free-text industry -> NAICS: the resolver, its data file, the CLI, the API and the suggestions."""

import csv
import json
from pathlib import Path

import pytest
from django.urls import reverse

from refdesk.cli import main
from refdesk.pool import industry, naics
from refdesk.pool.industry import IndustryMatch, industry_code_for, industry_resolve

PHRASES = Path(__file__).resolve().parent.parent / "data" / "industry_phrases.csv"


def groups(matches: list[IndustryMatch]) -> list[str]:
    """The 4-digit groups of results, in order, without repeats (a 6-digit result counts for its prefix)."""
    seen: list[str] = []
    for m in matches:
        if naics.level_of(m.code) >= 4 and m.code[:4] not in seen:
            seen.append(m.code[:4])
    return seen


def title_key(text: str) -> tuple[str, ...]:
    index = industry._index()
    words = industry._raw_words(text, index.abbreviations)
    return tuple(
        sorted({industry.stem(w) for w in words if w not in industry.STOPWORDS and len(w) > 1})
    )


# --- the cattle-ranch story and the basics ---------------------------------------------------


def test_cattle_ranch_lands_on_cattle_ranching_never_on_banking():
    matches = industry_resolve("cattle ranch", limit=5)
    assert matches[0].code == "1121"
    assert matches[0].title == "Cattle Ranching and Farming"
    assert not [m for m in matches[:3] if m.code.startswith("52")]


@pytest.mark.parametrize(
    "text",
    [
        "cattle ranches",
        "Cattle Ranch, Inc.",
        "catle ranch",
        "CATTLE RANCHING",
        "ranchers raising beef cows",
    ],
)
def test_cattle_ranch_variants_still_land_on_1121(text):
    matches = industry_resolve(text, limit=3)
    assert matches[0].code[:4] == "1121", matches
    assert not [m for m in matches if m.code.startswith("52")]


def test_bank_words_land_on_banking_not_on_ranching():
    for text in ("regional bank", "community bank", "credit union", "retail bank"):
        matches = industry_resolve(text, limit=3)
        assert matches[0].code == "5221", (text, matches)
        assert not [m for m in matches if m.code.startswith("11")]


@pytest.mark.parametrize("code", ["1121", "112111", "5221", "31-33", "52"])
def test_a_code_passes_through(code):
    assert industry_resolve(code) == [IndustryMatch(code, naics.title(code), 1.0)]
    assert industry_code_for(code) == code


def test_a_code_written_with_its_title_passes_through():
    assert industry_resolve("112111 - Beef Cattle Ranching and Farming")[0].code == "112111"
    assert industry_resolve("NAICS 5221")[0].code == "5221"


def test_a_two_digit_manufacturing_prefix_means_its_sector():
    assert industry_resolve("32")[0].code == "31-33"


@pytest.mark.parametrize(
    "text", ["", "   ", None, "qwzx", "!!!", "the and of", "12345678", "zzzzzz qqqq"]
)
def test_empty_or_garbage_text_gives_no_match_and_no_error(text):
    assert industry_resolve(text) == []
    assert industry_code_for(text) is None


def test_industry_code_for_gives_none_for_gibberish_and_a_code_for_words():
    assert industry_code_for("qwzx") is None
    assert industry_code_for("cattle ranch") == "1121"
    assert industry_code_for("Regional Bank") == "5221"
    assert industry_code_for("  3PL ") == "4885"


def test_industry_code_for_respects_min_score():
    assert industry_code_for("mid-size regional bank in Ohio", min_score=0.5) == "5221"
    assert industry_code_for("mid-size regional bank in Ohio", min_score=0.99) is None


def test_results_are_ordered_bounded_and_deterministic():
    first = industry_resolve("software company", limit=10)
    assert 1 <= len(first) <= 10
    assert [m.score for m in first] == sorted((m.score for m in first), reverse=True)
    assert all(0.0 <= m.score <= 1.0 for m in first)
    assert all(m.title == naics.title(m.code) for m in first)
    assert len({m.code for m in first}) == len(first)
    assert industry_resolve("software company", limit=10) == first
    assert industry_resolve("software company", limit=2) == first[:2]
    assert industry_resolve("software company", limit=0) == []


def test_typos_plurals_and_abbreviations_are_tolerated():
    assert groups(industry_resolve("restuarant group", limit=3))[0] == "7225"
    assert groups(industry_resolve("hospitl", limit=3))[0] == "6221"
    assert groups(industry_resolve("accounting firrm", limit=3))[0] == "5412"
    assert groups(industry_resolve("Hospitals", limit=3))[0] == "6221"
    assert groups(industry_resolve("auto mfg", limit=3))[0] == "3361"
    assert (
        groups(industry_resolve("e-commerce", limit=3))[0]
        == groups(industry_resolve("ecommerce", limit=3))[0]
    )


def test_words_missing_from_the_data_file_still_land_through_titles():
    # None of these is a term in the data file; the official titles carry them.
    assert "1119" in groups(industry_resolve("peanut farming", limit=3))
    assert "3365" in groups(industry_resolve("locomotives", limit=3))
    assert "4593" in groups(industry_resolve("florists", limit=3))


def test_hospitality_is_not_a_hospital():
    assert not industry_resolve("hospitality", limit=3)[0].code.startswith("62")


# --- the data file -------------------------------------------------------------------------


def test_every_code_in_the_data_file_is_a_naics_2022_code():
    unknown = [code for code in industry.data_codes() if not naics.is_code(code)]
    assert unknown == []


def test_the_data_file_covers_every_sector_with_hundreds_of_terms():
    sectors = {naics.sector_of(code) for code in industry.data_codes()}
    assert sectors == {code for code in naics.codes() if naics.level_of(code) == 2}
    assert industry.vocabulary_stats()["terms"] >= 300


# --- the evaluation set ----------------------------------------------------------------------


def load_phrases() -> list[tuple[str, set[str]]]:
    with PHRASES.open(newline="", encoding="utf-8") as handle:
        return [(row["phrase"], set(row["expected"].split(";"))) for row in csv.DictReader(handle)]


def test_evaluation_phrases_are_everyday_words_not_naics_titles():
    phrases = load_phrases()
    assert len(phrases) >= 70
    titles = {title_key(industry._clean_title(t)) for t in naics.codes().values()}
    copied = [phrase for phrase, _ in phrases if title_key(phrase) in titles]
    assert copied == []
    assert all(
        naics.level_of(code) == 4 and naics.is_code(code)
        for _, expected in phrases
        for code in expected
    )


def test_the_right_group_is_in_the_top_three_for_at_least_90_percent(capsys):
    phrases = load_phrases()
    misses = []
    for phrase, expected in phrases:
        matches = industry_resolve(phrase, limit=3)
        if not expected & set(groups(matches)):
            misses.append(
                f"{phrase!r}: expected {sorted(expected)}, got {[(m.code, m.score) for m in matches]}"
            )
    hits = len(phrases) - len(misses)
    with capsys.disabled():
        print(f"\nindustry evaluation: {hits}/{len(phrases)} in the top 3")
        for miss in misses:
            print("  miss", miss)
    assert hits >= 0.9 * len(phrases)


# --- CLI -------------------------------------------------------------------------------------


def test_cli_naics_json(capsys):
    assert main(["naics", "cattle ranch", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0] == {
        "code": "1121",
        "title": "Cattle Ranching and Farming",
        "score": out[0]["score"],
    }
    assert set(out[0]) == {"code", "title", "score"}
    assert 0 < out[0]["score"] <= 1
    assert len(out) <= 5


def test_cli_naics_takes_unquoted_words_and_a_limit(capsys):
    assert main(["naics", "regional", "bank", "--limit", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out) <= 2
    assert out[0]["code"] == "5221"


def test_cli_naics_table(capsys):
    assert main(["naics", "CPA firm"]) == 0
    out = capsys.readouterr().out
    assert "5412" in out and "Accounting, Tax Preparation" in out and "score" in out


def test_cli_naics_nothing_fits(capsys):
    assert main(["naics", "qwzx", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["naics", "qwzx"]) == 0
    assert "No NAICS industry fits" in capsys.readouterr().out


@pytest.mark.parametrize("limit", ["0", "51", "-3"])
def test_cli_naics_limit_out_of_range_is_a_user_error(capsys, limit):
    assert main(["naics", "bank", "--limit", limit, "--json"]) == 1
    captured = capsys.readouterr()
    assert "--limit" in captured.err and captured.out == ""


# --- API -------------------------------------------------------------------------------------


def test_api_industries_search(client_for, owner_rep):
    client = client_for(owner_rep)
    response = client.get("/api/industries", {"q": "cattle ranch", "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body[0]["code"] == "1121" and body[0]["title"] == "Cattle Ranching and Farming"
    assert len(body) <= 3 and set(body[0]) == {"code", "title", "score"}
    assert not [m for m in body if m["code"].startswith("52")]


def test_api_industries_nothing_fits_is_an_empty_list(client_for, owner_rep):
    response = client_for(owner_rep).get("/api/industries", {"q": "qwzx"})
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("limit", [0, 51])
def test_api_industries_limit_is_bounded(client_for, owner_rep, limit):
    response = client_for(owner_rep).get("/api/industries", {"q": "bank", "limit": limit})
    assert response.status_code == 422
    assert "limit" in response.json()["message"]


def test_api_industries_needs_authentication(client, db):
    assert client.get("/api/industries", {"q": "bank"}).status_code == 401


def test_api_industry_by_code(client_for, owner_rep):
    client = client_for(owner_rep)
    body = client.get("/api/industries/112111").json()
    assert body == {
        "code": "112111",
        "title": "Beef Cattle Ranching and Farming",
        "parent": "11211",
        "level": 6,
    }
    assert client.get("/api/industries/31-33").json()["parent"] is None
    response = client.get("/api/industries/999999")
    assert response.status_code == 404 and "999999" in response.json()["message"]


def test_api_industries_are_in_the_openapi_document(client_for, owner_rep):
    paths = client_for(owner_rep).get("/api/openapi.json").json()["paths"]
    assert "/api/industries" in paths and "/api/industries/{code}" in paths
    assert {"200", "404", "422"} <= set(paths["/api/industries/{code}"]["get"]["responses"])


# --- as-you-type suggestions -----------------------------------------------------------------


def test_suggestions_fragment_lists_cattle_ranching(client_for, owner_rep):
    response = client_for(owner_rep).get(
        reverse("pool:industry-suggest"), {"q": "cattle ranch"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-code="1121"' in html and "Cattle Ranching and Farming" in html
    assert 'aria-label="Use NAICS 1121: Cattle Ranching and Farming"' in html
    assert "<button" in html and 'type="button"' in html


def test_suggestions_accept_the_form_field_name(client_for, owner_rep):
    response = client_for(owner_rep).get(
        reverse("pool:industry-suggest"), {"industry": "credit union"}
    )
    assert 'data-code="5221"' in response.content.decode()


def test_suggestions_say_when_nothing_fits(client_for, owner_rep):
    html = (
        client_for(owner_rep).get(reverse("pool:industry-suggest"), {"q": "qwzx"}).content.decode()
    )
    assert "No NAICS industry fits" in html and "<button" not in html
    empty = client_for(owner_rep).get(reverse("pool:industry-suggest")).content.decode()
    assert "<button" not in empty and "No NAICS" not in empty


def test_suggestions_need_a_login(client, db):
    response = client.get(reverse("pool:industry-suggest"), {"q": "bank"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_every_industry_row_read_from_memory_is_the_one_in_the_table():
    """`naics_industry` answers from the `naics` data instead of the table the migration filled
    from it: each of its rows equals the stored one, and saving it would change nothing."""
    from refdesk.core.errors import NotFound
    from refdesk.pool.models import NaicsIndustry
    from refdesk.pool.selectors import naics_industry

    stored = {i.code: i for i in NaicsIndustry.objects.all()}
    assert len(stored) == len(naics.codes()) > 1000
    for code, row in stored.items():
        remembered = naics_industry(code)
        assert (remembered.code, remembered.title, remembered.parent_id, remembered.level) == (
            row.code, row.title, row.parent_id, row.level
        )  # fmt: skip
        assert remembered == row and not remembered._state.adding
    with pytest.raises(NotFound):
        naics_industry("999999")


def test_an_industry_path_reads_from_the_sector_down_without_repeating_a_title():
    from refdesk.pool import naics

    assert naics.path("449110") == [
        ("44-45", "Retail Trade"),
        ("449", "Furniture, Home Furnishings, Electronics, and Appliance Retailers"),
        ("4491", "Furniture and Home Furnishings Retailers"),
        ("449110", "Furniture Retailers"),  # 44911 is "Furniture Retailers" too: shown once
    ]
    assert [code for code, _ in naics.path("522110")] == ["52", "522", "5221", "522110"]
    assert naics.path("31-33") == [("31-33", "Manufacturing")]
