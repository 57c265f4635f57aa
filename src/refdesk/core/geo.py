"""Countries, regions and time zones, read offline from the tzdata package."""

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, available_timezones

# Regions salespeople use when they say "a reference in the same region".
REGIONS: dict[str, set[str]] = {
    "DACH": {"DE", "AT", "CH", "LI"},
    "Nordics": {"SE", "NO", "DK", "FI", "IS"},
    "Benelux": {"BE", "NL", "LU"},
    "UK & Ireland": {"GB", "IE"},
    "Southern Europe": {"ES", "PT", "IT", "GR", "MT", "CY"},
    "France": {"FR", "MC"},
    "Central & Eastern Europe": {
        "PL",
        "CZ",
        "SK",
        "HU",
        "RO",
        "BG",
        "HR",
        "SI",
        "EE",
        "LV",
        "LT",
        "RS",
        "UA",
    },
    "North America": {"US", "CA"},
    "LATAM": {
        "MX",
        "BR",
        "AR",
        "CL",
        "CO",
        "PE",
        "UY",
        "PY",
        "BO",
        "EC",
        "VE",
        "CR",
        "PA",
        "GT",
        "DO",
        "PR",
    },
    "ANZ": {"AU", "NZ"},
    "Asia": {"JP", "KR", "CN", "HK", "TW", "SG", "MY", "TH", "ID", "PH", "VN", "IN"},
    "Middle East & Africa": {"AE", "SA", "IL", "TR", "QA", "EG", "ZA", "NG", "KE", "MA"},
}
_COUNTRY_REGION = {cc: region for region, members in REGIONS.items() for cc in members}


@cache
def countries() -> dict[str, str]:
    """ISO 3166 alpha-2 code -> English name."""
    text = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    result = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t", 1)
            result[code.strip()] = name.strip()
    return result


@cache
def _country_names() -> dict[str, str]:
    names = {name.lower(): code for code, name in countries().items()}
    names.update(
        {
            "usa": "US",
            "u.s.": "US",
            "u.s.a.": "US",
            "us of a": "US",
            "united states of america": "US",
            "america": "US",
            "uk": "GB",
            "u.k.": "GB",
            "united kingdom": "GB",
            "great britain": "GB",
            "england": "GB",
            "scotland": "GB",
            "wales": "GB",
            "northern ireland": "GB",
            "deutschland": "DE",
            "allemagne": "DE",
            "holland": "NL",
            "the netherlands": "NL",
            "nederland": "NL",
            "south korea": "KR",
            "republic of korea": "KR",
            "korea": "KR",
            "north korea": "KP",
            "russian federation": "RU",
            "czechia": "CZ",
            "türkiye": "TR",
            "turkiye": "TR",
            "uae": "AE",
            "united arab emirates": "AE",
            "schweiz": "CH",
            "suisse": "CH",
            "österreich": "AT",
            "brasil": "BR",
            "méxico": "MX",
            "españa": "ES",
            "espana": "ES",
            "italia": "IT",
            "sverige": "SE",
            "norge": "NO",
            "danmark": "DK",
            "suomi": "FI",
            "polska": "PL",
            "belgique": "BE",
            "belgië": "BE",
            "viet nam": "VN",
            "hong kong sar": "HK",
            "prc": "CN",
            "people's republic of china": "CN",
            "ivory coast": "CI",
            "côte d'ivoire": "CI",
            "macedonia": "MK",
            "burma": "MM",
            "eswatini": "SZ",
        }
    )
    return names


def country_code(value: str) -> str | None:
    """An ISO code for a code or an English name ("de", "Germany", "USA"), or None."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) == 2 and value.upper() in countries():
        return value.upper()
    return _country_names().get(value.lower())


def region_of(country: str) -> str | None:
    return _COUNTRY_REGION.get((country or "").upper())


@cache
def country_time_zones() -> dict[str, list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    result: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            result.setdefault(parts[0], []).append(parts[2])
    return result


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    if name not in time_zones():
        return False
    try:
        ZoneInfo(name)
    except Exception:
        return False
    return True
