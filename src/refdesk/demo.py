"""`refdesk demo`: load a believable reference program, the same one for the same seed.

`demo_load()` is the entry point; it calls one function per part (users, accounts,
contacts and references, back-dated history), so later issues can add requests,
activities and rewards as further parts. Every record is written through the pool's
services, so search words and status history are exactly what real use produces.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

DEMO_PASSWORD = "refdesk-demo"
DEFAULT_SEED = 42
DEFAULT_ACCOUNTS = 300
LOGIN_URL = "http://127.0.0.1:8000/"

# --- the vendor: its products, rivals and the topics customers speak to -----------------

PRODUCTS = [
    "Ledger",
    "Payroll",
    "Workforce Analytics",
    "Expense",
    "Procurement",
    "Planning",
    "Treasury",
    "Mobile App",
]
# Share of accounts that own each product before industry and size adjust it.
PRODUCT_BASE = {
    "Ledger": 0.7,
    "Payroll": 0.45,
    "Workforce Analytics": 0.2,
    "Expense": 0.4,
    "Procurement": 0.22,
    "Planning": 0.28,
    "Treasury": 0.12,
    "Mobile App": 0.2,
}
RIVALS = {
    "Ledger": ["Acme Ledger", "OldCo ERP", "SpreadsheetPro", "Ledgerly"],
    "Payroll": ["PayPilot", "HRnimbus", "OldCo ERP"],
    "Workforce Analytics": ["HRnimbus", "PeopleGraph"],
    "Expense": ["Receiptly", "SpreadsheetPro", "Acme Ledger"],
    "Procurement": ["ProcureMax", "OldCo ERP"],
    "Planning": ["BudgetBox", "SpreadsheetPro", "Finwise Suite"],
    "Treasury": ["TreasuryOne", "SpreadsheetPro"],
    "Mobile App": ["HRnimbus", "PayPilot"],
}
PRODUCT_TOPICS = {
    "Ledger": [
        "month-end close",
        "multi-entity consolidation",
        "audit readiness",
        "revenue recognition (ASC 606)",
        "chart of accounts redesign",
        "migration from spreadsheets",
        "intercompany eliminations",
    ],
    "Payroll": [
        "payroll compliance",
        "multi-country payroll",
        "year-end tax filing",
        "union pay rules",
        "earned wage access",
        "payroll migration mid-year",
    ],
    "Workforce Analytics": [
        "headcount planning",
        "turnover analytics",
        "pay equity reporting",
        "shift scheduling",
    ],
    "Expense": [
        "travel and expense policy",
        "corporate card reconciliation",
        "mobile receipt capture",
        "per-diem rules",
    ],
    "Procurement": [
        "purchase-to-pay automation",
        "supplier onboarding",
        "three-way match",
        "spend visibility",
    ],
    "Planning": ["rolling forecasts", "annual budgeting", "scenario modelling", "board reporting"],
    "Treasury": [
        "cash visibility",
        "bank connectivity",
        "FX risk management",
        "payments fraud prevention",
    ],
    "Mobile App": ["manager self-service", "frontline adoption", "approvals on mobile"],
}
GENERAL_TOPICS = [
    "SSO rollout",
    "implementation in under 90 days",
    "change management",
    "ERP integration",
    "data migration",
    "user adoption",
    "replacing a legacy system",
    "global rollout",
]
PRODUCT_TITLES = {
    "Ledger": [
        "CFO",
        "VP Finance",
        "Controller",
        "Chief Accounting Officer",
        "Finance Director",
        "Accounting Manager",
    ],
    "Payroll": ["Payroll Manager", "Director of Payroll", "HR Director", "VP People"],
    "Workforce Analytics": ["CHRO", "HRIS Lead", "Head of People Analytics", "VP People"],
    "Expense": ["Controller", "AP Manager", "Travel & Expense Manager", "Finance Operations Lead"],
    "Procurement": ["Procurement Director", "Head of Purchasing", "Chief Procurement Officer"],
    "Planning": ["Head of FP&A", "FP&A Manager", "VP Finance", "CFO"],
    "Treasury": ["Treasurer", "Treasury Manager", "CFO"],
    "Mobile App": ["Operations Director", "HR Operations Manager", "IT Director"],
}
IT_TITLES = ["CIO", "IT Director", "ERP Systems Manager", "Business Systems Analyst"]

# --- places: countries with their cities, time zones, languages and legal forms -------------

# country -> (weight, Faker locale, legal forms, e-mail top-level domain, phone prefix, cities)
# city = (name, region or state, IANA time zone, languages spoken there)
COUNTRIES: dict[str, tuple] = {
    "US": (
        52,
        "en_US",
        ["Inc.", "LLC", "Corp.", "Inc."],
        "com",
        "+1",
        [
            ("New York", "NY", "America/New_York", ["en"]),
            ("Boston", "MA", "America/New_York", ["en"]),
            ("Philadelphia", "PA", "America/New_York", ["en"]),
            ("Atlanta", "GA", "America/New_York", ["en"]),
            ("Charlotte", "NC", "America/New_York", ["en"]),
            ("Miami", "FL", "America/New_York", ["en", "es"]),
            ("Pittsburgh", "PA", "America/New_York", ["en"]),
            ("Columbus", "OH", "America/New_York", ["en"]),
            ("Richmond", "VA", "America/New_York", ["en"]),
            ("Hartford", "CT", "America/New_York", ["en"]),
            ("Detroit", "MI", "America/Detroit", ["en"]),
            ("Indianapolis", "IN", "America/Indiana/Indianapolis", ["en"]),
            ("Chicago", "IL", "America/Chicago", ["en"]),
            ("Dallas", "TX", "America/Chicago", ["en"]),
            ("Houston", "TX", "America/Chicago", ["en", "es"]),
            ("Austin", "TX", "America/Chicago", ["en"]),
            ("Amarillo", "TX", "America/Chicago", ["en"]),
            ("Minneapolis", "MN", "America/Chicago", ["en"]),
            ("Kansas City", "MO", "America/Chicago", ["en"]),
            ("Omaha", "NE", "America/Chicago", ["en"]),
            ("Des Moines", "IA", "America/Chicago", ["en"]),
            ("Madison", "WI", "America/Chicago", ["en"]),
            ("Nashville", "TN", "America/Chicago", ["en"]),
            ("Denver", "CO", "America/Denver", ["en"]),
            ("Billings", "MT", "America/Denver", ["en"]),
            ("Cheyenne", "WY", "America/Denver", ["en"]),
            ("Boise", "ID", "America/Boise", ["en"]),
            ("Phoenix", "AZ", "America/Phoenix", ["en", "es"]),
            ("Seattle", "WA", "America/Los_Angeles", ["en"]),
            ("Portland", "OR", "America/Los_Angeles", ["en"]),
            ("San Francisco", "CA", "America/Los_Angeles", ["en"]),
            ("San Diego", "CA", "America/Los_Angeles", ["en", "es"]),
            ("Los Angeles", "CA", "America/Los_Angeles", ["en", "es"]),
            ("Fresno", "CA", "America/Los_Angeles", ["en"]),
        ],
    ),
    "GB": (
        8,
        "en_GB",
        ["Ltd", "plc", "Ltd"],
        "co.uk",
        "+44",
        [
            (c, "", "Europe/London", ["en"])
            for c in [
                "London",
                "Manchester",
                "Birmingham",
                "Leeds",
                "Bristol",
                "Edinburgh",
                "Glasgow",
                "Cardiff",
                "Nottingham",
            ]
        ],
    ),
    "DE": (
        7,
        "de_DE",
        ["GmbH", "AG", "GmbH & Co. KG"],
        "de",
        "+49",
        [
            (c, "", "Europe/Berlin", ["de", "en"])
            for c in [
                "Berlin",
                "Hamburg",
                "München",
                "Köln",
                "Frankfurt",
                "Stuttgart",
                "Düsseldorf",
                "Leipzig",
                "Hannover",
                "Nürnberg",
            ]
        ],
    ),
    "FR": (
        5,
        "fr_FR",
        ["SA", "SAS"],
        "fr",
        "+33",
        [
            (c, "", "Europe/Paris", ["fr", "en"])
            for c in [
                "Paris",
                "Lyon",
                "Marseille",
                "Toulouse",
                "Lille",
                "Bordeaux",
                "Nantes",
                "Strasbourg",
                "Rennes",
            ]
        ],
    ),
    "NL": (
        4,
        "nl_NL",
        ["B.V.", "N.V."],
        "nl",
        "+31",
        [
            (c, "", "Europe/Amsterdam", ["nl", "en"])
            for c in ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Groningen"]
        ],
    ),
    "SE": (
        3,
        "sv_SE",
        ["AB"],
        "se",
        "+46",
        [
            (c, "", "Europe/Stockholm", ["sv", "en"])
            for c in ["Stockholm", "Göteborg", "Malmö", "Uppsala", "Linköping"]
        ],
    ),
    "CA": (
        6,
        "en_CA",
        ["Inc.", "Ltd.", "Inc."],
        "ca",
        "+1",
        [
            ("Toronto", "ON", "America/Toronto", ["en"]),
            ("Ottawa", "ON", "America/Toronto", ["en", "fr"]),
            ("Montréal", "QC", "America/Toronto", ["fr", "en"]),
            ("Québec", "QC", "America/Toronto", ["fr"]),
            ("Vancouver", "BC", "America/Vancouver", ["en"]),
            ("Calgary", "AB", "America/Edmonton", ["en"]),
            ("Edmonton", "AB", "America/Edmonton", ["en"]),
            ("Winnipeg", "MB", "America/Winnipeg", ["en"]),
            ("Halifax", "NS", "America/Halifax", ["en"]),
        ],
    ),
    "AU": (
        5,
        "en_AU",
        ["Pty Ltd", "Ltd"],
        "com.au",
        "+61",
        [
            ("Sydney", "NSW", "Australia/Sydney", ["en"]),
            ("Melbourne", "VIC", "Australia/Melbourne", ["en"]),
            ("Brisbane", "QLD", "Australia/Brisbane", ["en"]),
            ("Toowoomba", "QLD", "Australia/Brisbane", ["en"]),
            ("Perth", "WA", "Australia/Perth", ["en"]),
            ("Adelaide", "SA", "Australia/Adelaide", ["en"]),
            ("Darwin", "NT", "Australia/Darwin", ["en"]),
        ],
    ),
    "BR": (
        3,
        "pt_BR",
        ["Ltda.", "S.A."],
        "com.br",
        "+55",
        [
            ("São Paulo", "SP", "America/Sao_Paulo", ["pt", "en"]),
            ("Rio de Janeiro", "RJ", "America/Sao_Paulo", ["pt"]),
            ("Belo Horizonte", "MG", "America/Sao_Paulo", ["pt"]),
            ("Curitiba", "PR", "America/Sao_Paulo", ["pt"]),
            ("Campo Grande", "MS", "America/Campo_Grande", ["pt"]),
            ("Cuiabá", "MT", "America/Cuiaba", ["pt"]),
            ("Recife", "PE", "America/Recife", ["pt"]),
            ("Manaus", "AM", "America/Manaus", ["pt"]),
        ],
    ),
    "JP": (
        3,
        "ja_JP",
        ["K.K.", "Co., Ltd."],
        "co.jp",
        "+81",
        [
            (c, "", "Asia/Tokyo", ["ja", "en"])
            for c in ["Tokyo", "Osaka", "Yokohama", "Nagoya", "Fukuoka", "Sapporo", "Kobe"]
        ],
    ),
    "ES": (
        3,
        "es_ES",
        ["S.L.", "S.A."],
        "es",
        "+34",
        [
            (c, "", "Europe/Madrid", ["es", "en"])
            for c in ["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Zaragoza"]
        ],
    ),
    "CH": (
        3,
        "de_CH",
        ["AG", "GmbH"],
        "ch",
        "+41",
        [
            ("Zürich", "ZH", "Europe/Zurich", ["de", "en"]),
            ("Basel", "BS", "Europe/Zurich", ["de", "en"]),
            ("Bern", "BE", "Europe/Zurich", ["de", "fr"]),
            ("Luzern", "LU", "Europe/Zurich", ["de"]),
            ("Genève", "GE", "Europe/Zurich", ["fr", "en"]),
            ("Lausanne", "VD", "Europe/Zurich", ["fr", "en"]),
        ],
    ),
}
# The language a company's name is written in, from the city's first language.
FAKER_LOCALE_BY_LANGUAGE = {("CA", "fr"): "fr_CA", ("CH", "fr"): "fr_CH"}
US_STATES = {
    "NY": "New York",
    "MA": "Massachusetts",
    "PA": "Pennsylvania",
    "GA": "Georgia",
    "NC": "North Carolina",
    "FL": "Florida",
    "OH": "Ohio",
    "VA": "Virginia",
    "CT": "Connecticut",
    "MI": "Michigan",
    "IN": "Indiana",
    "IL": "Illinois",
    "TX": "Texas",
    "MN": "Minnesota",
    "MO": "Missouri",
    "NE": "Nebraska",
    "IA": "Iowa",
    "WI": "Wisconsin",
    "TN": "Tennessee",
    "CO": "Colorado",
    "MT": "Montana",
    "WY": "Wyoming",
    "ID": "Idaho",
    "AZ": "Arizona",
    "WA": "Washington",
    "OR": "Oregon",
    "CA": "California",
}
SALES_TEAM_BY_COUNTRY = {
    "GB": "EMEA",
    "DE": "EMEA",
    "FR": "EMEA",
    "NL": "EMEA",
    "SE": "EMEA",
    "ES": "EMEA",
    "CH": "EMEA",
    "AU": "APAC",
    "JP": "APAC",
    "BR": "LATAM",
}
WEST_ZONES = (
    "America/Chicago",
    "America/Denver",
    "America/Boise",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Edmonton",
    "America/Winnipeg",
)

# --- industries ----------------------------------------------------------------------------

WORDS = [
    "Summit",
    "Harbor",
    "Northwind",
    "Bluewater",
    "Keystone",
    "Pioneer",
    "Cedar",
    "Granite",
    "Meridian",
    "Evergreen",
    "Atlas",
    "Beacon",
    "Crestline",
    "Ironwood",
    "Silverline",
    "Brightpath",
    "Riverbend",
    "Lakeshore",
    "Redwood",
    "Polaris",
    "Oakridge",
    "Horizon",
    "Westfield",
    "Highland",
    "Sterling",
    "Vantage",
    "Copperleaf",
    "Ashford",
    "Falcon",
    "Bluestem",
    "Prairie",
    "Tidewater",
    "Juniper",
    "Alder",
    "Clearwater",
]
SAINTS = {
    "en": ["Mary's", "Joseph's", "Luke's", "Francis", "Anne's", "Vincent's", "Catherine's"],
    "de": ["Marien", "Josefs", "Elisabeth", "Vinzenz", "Franziskus"],
    "fr": ["Saint-Joseph", "Sainte-Anne", "Saint-Luc", "Saint-Vincent"],
    "nl": ["Sint Antonius", "Sint Franciscus", "Sint Jansdal"],
    "pt": ["São José", "Santa Maria", "São Lucas", "Santa Casa"],
    "es": ["San José", "Santa María", "San Juan de Dios"],
}


@dataclass(frozen=True)
class Industry:
    """A NAICS industry the demo uses: how common it is, how big its companies are, how they are named."""

    code: str
    weight: float
    size: tuple[int, float]  # median employees, spread (sigma of the log)
    names: dict[str, list[str]]  # language -> name templates; "*" ends with a legal form
    countries: tuple[str, ...] = ()  # only these countries, if given
    gifts: tuple[float, float] = (0.0, 0.0)  # share donation-only, share thank-you-only
    products: dict[str, float] = field(default_factory=dict)  # product -> extra chance
    topics: tuple[str, ...] = ()
    site_visits: bool = False


def _ind(code, weight, size, names, **kw) -> Industry:
    return Industry(code, weight, size, names, **kw)


FINANCE = {"Treasury": 0.35, "Planning": 0.2}
FRONTLINE = {"Mobile App": 0.35, "Payroll": 0.3, "Workforce Analytics": 0.2}
PUBLIC = (0.55, 0.35)
HEALTH = (0.45, 0.3)
INDUSTRIES: list[Industry] = [
    _ind(
        "522110",
        6,
        (2500, 1.4),
        {
            "en": [
                "First National Bank of {city}",
                "{word} Bank",
                "{city} Savings Bank",
                "{last} Trust Bank",
            ],
            "de": ["Sparkasse {city}", "Volksbank {city}", "{word} Bank AG"],
            "fr": ["Banque {last}", "Banque {word}"],
            "nl": ["{word} Bank N.V."],
            "sv": ["{city} Sparbank"],
            "pt": ["Banco {last} S.A."],
            "ja": ["The {city} Bank, Ltd."],
            "es": ["Banco {last}", "Caja Rural de {city}"],
        },
        gifts=(0.1, 0.3),
        products=FINANCE,
        topics=("regulatory reporting", "branch cost allocation"),
    ),
    _ind(
        "522130",
        4,
        (350, 1.0),
        {
            "en": [
                "{city} Federal Credit Union",
                "{word} Credit Union",
                "{state} Teachers Credit Union",
                "{city} Community Credit Union",
            ],
            "fr": ["Caisse populaire de {city}"],
            "de": ["Raiffeisenbank {city}"],
        },
        countries=("US", "CA", "AU", "DE", "GB"),
        gifts=(0.2, 0.2),
        topics=("member reporting",),
    ),
    _ind(
        "524126",
        3,
        (3000, 1.3),
        {
            "en": [
                "{word} Mutual Insurance",
                "{last} Insurance Group *",
                "{word} Casualty Company",
            ],
            "de": ["{word} Versicherung AG"],
            "fr": ["Assurances {last}", "Mutuelle {word}"],
            "nl": ["{word} Verzekeringen N.V."],
            "sv": ["{word} Försäkring AB"],
            "pt": ["{word} Seguros S.A."],
            "es": ["Seguros {last} S.A."],
        },
        gifts=(0.1, 0.2),
        products=FINANCE,
        topics=("claims cost accounting",),
    ),
    _ind(
        "524113",
        2,
        (4000, 1.2),
        {
            "en": ["{word} Life Assurance", "{last} Life Insurance Company"],
            "de": ["{word} Lebensversicherung AG"],
            "fr": ["{word} Vie"],
            "es": ["Seguros de Vida {last} S.A."],
            "pt": ["{word} Previdência S.A."],
            "nl": ["{word} Levensverzekeringen N.V."],
        },
        gifts=(0.1, 0.2),
        products=FINANCE,
    ),
    _ind(
        "524210",
        2,
        (120, 1.1),
        {
            "en": ["{last} Insurance Agency", "{last} & {last2} Insurance Brokers"],
            "de": ["{last} Versicherungsmakler GmbH"],
            "fr": ["Cabinet {last} Courtage"],
            "es": ["Correduría de Seguros {last}"],
            "pt": ["{last} Corretora de Seguros"],
            "nl": ["{last} Assurantiën"],
        },
    ),
    _ind(
        "513210",
        8,
        (500, 1.4),
        {"*": ["{word}soft", "{word} Labs", "{word}ly", "{word} Systems", "{word} Software"]},
        products={"Expense": 0.2, "Planning": 0.2},
        topics=("SaaS revenue recognition", "scaling from startup to IPO"),
    ),
    _ind(
        "541511",
        3,
        (300, 1.2),
        {"*": ["{last} Digital", "{word} Consulting Group", "{word} IT Services"]},
    ),
    _ind(
        "541611",
        2,
        (150, 1.2),
        {
            "en": ["{last} & {last2} Partners", "{word} Advisory"],
            "de": ["{last} Unternehmensberatung GmbH"],
            "fr": ["{last} Conseil"],
        },
    ),
    _ind(
        "622110",
        6,
        (3500, 0.9),
        {
            "en": [
                "{city} General Hospital",
                "St. {saint} Medical Center",
                "{word} Health System",
                "{city} Regional Medical Center",
            ],
            "de": ["Klinikum {city}", "{saint}-Krankenhaus {city}"],
            "fr": ["Centre Hospitalier de {city}", "Clinique {saint}"],
            "nl": ["{saint} Ziekenhuis"],
            "sv": ["{city} sjukhus"],
            "pt": ["Hospital {saint}", "Hospital de {city}"],
            "ja": ["{city} General Hospital"],
            "es": ["Hospital {saint} de {city}"],
        },
        gifts=HEALTH,
        products={"Workforce Analytics": 0.3, "Payroll": 0.3},
        topics=("nurse scheduling", "grant accounting", "physician payroll"),
        site_visits=True,
    ),
    _ind(
        "623110",
        2,
        (400, 1.0),
        {
            "en": ["{word} Senior Living *", "{word} Care Homes"],
            "de": ["Seniorenresidenz {word}"],
            "fr": ["Résidences {word}"],
        },
        gifts=HEALTH,
        products=FRONTLINE,
        topics=("shift scheduling", "agency staff costs"),
    ),
    _ind(
        "611310",
        4,
        (5000, 0.8),
        {
            "en": ["University of {city}", "{city} State University", "{last} College"],
            "de": ["Universität {city}", "Hochschule {city}"],
            "fr": ["Université de {city}"],
            "nl": ["Universiteit {city}"],
            "sv": ["{city} universitet"],
            "pt": ["Universidade de {city}"],
            "ja": ["{city} University"],
            "es": ["Universidad de {city}"],
        },
        gifts=PUBLIC,
        topics=("fund accounting", "grant accounting", "research budget tracking"),
    ),
    _ind(
        "611110",
        3,
        (2500, 1.0),
        {
            "en": [
                "{city} Unified School District",
                "{city} Public Schools",
                "{city} Independent School District",
                "{city} District School Board",
            ],
            "fr": ["Centre de services scolaire de {city}"],
        },
        countries=("US", "CA"),
        gifts=(0.6, 0.4),
        topics=("fund accounting", "board transparency reporting"),
    ),
    _ind(
        "112111",
        4,
        (40, 0.9),
        {
            "en": ["{last} Cattle Company", "{last} Ranch", "{word} Land & Cattle *"],
            "pt": ["Agropecuária {last}", "Fazenda {saint}"],
        },
        countries=("US", "CA", "AU", "BR"),
        products={"Payroll": 0.2},
        topics=("seasonal workforce payroll", "livestock cost accounting"),
        site_visits=True,
    ),
    _ind(
        "112120",
        3,
        (35, 0.8),
        {
            "en": ["{last} Family Dairy", "{word} Dairy Farms *"],
            "de": ["Milchhof {last}"],
            "fr": ["GAEC {last}"],
            "nl": ["Melkveebedrijf {last}"],
            "sv": ["{last}s Mjölkgård"],
        },
        countries=("US", "CA", "NL", "DE", "FR", "CH", "SE", "AU", "GB"),
        topics=("seasonal workforce payroll", "farm cost accounting"),
        site_visits=True,
    ),
    _ind(
        "488510",
        4,
        (800, 1.3),
        {
            "*": ["{word} Logistics", "{last} Freight Services", "{word} Supply Chain"],
            "de": ["Spedition {last} GmbH", "{last} Logistik GmbH"],
            "fr": ["Transports {last}", "{word} Logistique"],
            "nl": ["{last} Logistiek B.V."],
            "pt": ["{word} Logística Ltda."],
            "es": ["Transportes {last} S.L."],
        },
        products=FRONTLINE,
        topics=("3PL billing", "driver pay", "fuel card expenses"),
    ),
    _ind(
        "493110",
        3,
        (600, 1.2),
        {
            "*": ["{word} Fulfillment", "{word} Warehousing", "{word} 3PL"],
            "de": ["{last} Lagerlogistik GmbH"],
            "nl": ["{word} Warehousing B.V."],
        },
        products=FRONTLINE,
        topics=("3PL billing", "warehouse labour planning"),
        site_visits=True,
    ),
    _ind(
        "484121",
        3,
        (450, 1.1),
        {
            "en": ["{last} Trucking *", "{word} Transport *", "{last} Bros. Hauling"],
            "de": ["Spedition {last}"],
            "fr": ["Transports {last}"],
            "es": ["Transportes {last}"],
            "pt": ["Transportadora {last}"],
            "sv": ["{last} Åkeri AB"],
        },
        products=FRONTLINE,
        topics=("driver pay", "fuel card expenses", "per-diem rules"),
    ),
    _ind(
        "336390",
        3,
        (1500, 1.2),
        {
            "*": ["{word} Automotive Components", "{last} Autoparts", "{word} Drivetrain"],
            "de": ["{last} Automotive GmbH"],
        },
        products={"Procurement": 0.35, "Planning": 0.15},
        topics=("plant cost accounting", "supplier onboarding"),
        site_visits=True,
    ),
    _ind(
        "332710",
        2,
        (90, 1.0),
        {
            "*": ["{last} Precision Machining", "{word} Machine Works"],
            "de": ["{last} Präzisionstechnik GmbH"],
            "sv": ["{last} Mekaniska AB"],
        },
        products={"Procurement": 0.2},
        topics=("job costing",),
        site_visits=True,
    ),
    _ind(
        "311812",
        2,
        (400, 1.1),
        {
            "en": ["{last}'s Bakery", "{word} Bakeries *", "{city} Bread Company"],
            "de": ["Bäckerei {last}"],
            "fr": ["Boulangeries {last}"],
            "nl": ["Bakkerij {last}"],
        },
        products=FRONTLINE,
        site_visits=True,
    ),
    _ind(
        "311513",
        1,
        (250, 1.0),
        {
            "en": ["{city} Creamery", "{word} Cheese Company"],
            "de": ["Käserei {last}"],
            "fr": ["Fromagerie {last}"],
            "nl": ["Kaasmakerij {last}"],
        },
        countries=("US", "CH", "FR", "NL", "DE", "CA", "GB"),
        site_visits=True,
    ),
    _ind(
        "312120",
        2,
        (150, 1.2),
        {
            "en": ["{city} Brewing Company", "{word} Brewery *"],
            "de": ["Brauerei {last}"],
            "fr": ["Brasserie {last}"],
            "nl": ["Brouwerij {last}"],
            "ja": ["{word} Brewery"],
        },
        site_visits=True,
    ),
    _ind(
        "325412",
        3,
        (5000, 1.5),
        {
            "*": ["{word} Pharmaceuticals", "{last} Therapeutics", "{word} Biopharma"],
            "de": ["{word} Pharma AG"],
        },
        gifts=(0.2, 0.5),
        products={"Procurement": 0.3, "Planning": 0.2},
        topics=("clinical trial accruals",),
    ),
    _ind(
        "334413",
        2,
        (6000, 1.3),
        {"*": ["{word} Semiconductor", "{word} Microdevices"]},
        products={"Planning": 0.25, "Procurement": 0.2},
    ),
    _ind(
        "333111",
        1,
        (1200, 1.2),
        {
            "*": ["{last} Implement Company", "{word} Farm Equipment"],
            "de": ["{last} Landtechnik GmbH"],
        },
        site_visits=True,
    ),
    _ind(
        "455110",
        2,
        (8000, 1.2),
        {
            "*": ["{last}'s Department Stores", "{word} & {last}"],
            "de": ["Kaufhaus {last}"],
            "fr": ["Galeries {word}"],
            "es": ["Almacenes {last}"],
        },
        products=FRONTLINE,
    ),
    _ind(
        "445110",
        3,
        (3000, 1.4),
        {
            "*": ["{word} Market", "{last} Supermarkets", "{word} Fresh Foods"],
            "de": ["{last} Frischemarkt"],
            "fr": ["Supermarchés {last}"],
            "nl": ["{last} Supermarkten"],
            "es": ["Supermercados {last}"],
            "pt": ["Supermercados {last}"],
        },
        products=FRONTLINE,
    ),
    _ind(
        "458110",
        2,
        (900, 1.4),
        {"*": ["{word} Apparel", "{word} Outfitters"], "fr": ["Maison {last}"]},
        products=FRONTLINE,
    ),
    _ind(
        "449110",
        1,
        (500, 1.2),
        {"*": ["{word} Home Furnishings", "{last} Furniture"], "sv": ["{word} Möbler AB"]},
        products=FRONTLINE,
    ),
    _ind(
        "722511",
        3,
        (800, 1.4),
        {
            "*": [
                "{word} Hospitality Group",
                "{word} Restaurant Group",
                "{last}'s Kitchen & Bar Group",
            ],
            "fr": ["Groupe {word} Restauration"],
            "es": ["Grupo {word} Restauración"],
        },
        products=FRONTLINE,
        topics=("tip pooling", "multi-location labour costs"),
    ),
    _ind(
        "722513",
        2,
        (1500, 1.5),
        {"*": ["{word} Burger Co.", "{word} Coffee Company", "{word} Kitchen"]},
        products=FRONTLINE,
        topics=("multi-location labour costs", "franchise reporting"),
    ),
    _ind(
        "721110",
        3,
        (1200, 1.3),
        {
            "*": ["{word} Hotels & Resorts", "{city} Grand Hotel", "{word} Hospitality"],
            "de": ["Hotelgruppe {word}"],
            "fr": ["Hôtels {word}"],
            "es": ["Hoteles {word}"],
        },
        products=FRONTLINE,
        topics=("seasonal staffing", "multi-property consolidation"),
    ),
    _ind(
        "221122",
        3,
        (1500, 1.1),
        {
            "en": ["{word} Power & Light", "{city} Electric Cooperative"],
            "de": ["Stadtwerke {city}"],
            "fr": ["{word} Énergie"],
            "nl": ["{word} Energie N.V."],
            "sv": ["{city} Energi AB"],
            "es": ["Eléctrica {word}"],
            "pt": ["Energia {word} S.A."],
            "ja": ["{city} Electric Power Co."],
        },
        gifts=(0.2, 0.3),
        products={"Procurement": 0.3},
        topics=("capital project accounting",),
    ),
    _ind(
        "221310",
        1,
        (300, 0.9),
        {
            "en": ["{city} Water Authority", "{word} Water District"],
            "de": ["Wasserversorgung {city}"],
            "nl": ["Waterbedrijf {word}"],
            "sv": ["{city} Vatten AB"],
            "fr": ["Eaux de {city}"],
            "es": ["Aguas de {city}"],
            "pt": ["Águas de {city}"],
            "ja": ["{city} Waterworks Bureau"],
        },
        gifts=PUBLIC,
        topics=("fund accounting",),
    ),
    _ind(
        "211120",
        2,
        (2000, 1.4),
        {"*": ["{word} Energy", "{word} Petroleum", "{word} Resources"]},
        countries=("US", "CA", "GB", "NL", "BR", "AU"),
        products=FINANCE,
        topics=("joint venture accounting",),
    ),
    _ind(
        "213112",
        2,
        (700, 1.2),
        {"*": ["{last} Oilfield Services", "{word} Well Services"]},
        countries=("US", "CA", "GB", "BR", "AU"),
        products=FRONTLINE,
        topics=("field crew payroll",),
    ),
    _ind(
        "541110",
        4,
        (250, 1.0),
        {
            "en": ["{last} & {last2} LLP", "{last}, {last2} & {last3} LLP"],
            "de": ["{last} {last2} Rechtsanwälte"],
            "fr": ["Cabinet {last} Avocats"],
            "nl": ["{last} Advocaten"],
            "es": ["{last} Abogados"],
            "pt": ["{last} & {last2} Advogados"],
            "sv": ["Advokatfirman {last}"],
            "ja": ["{last} Law Office"],
        },
        gifts=(0.1, 0.2),
        topics=("matter-based billing", "partner compensation"),
    ),
    _ind(
        "541211",
        3,
        (150, 1.2),
        {
            "en": ["{last} & {last2} CPAs", "{last} {last2} Chartered Accountants"],
            "de": ["{last} Steuerberatung"],
            "nl": ["{last} Accountants"],
            "fr": ["{last} Expertise Comptable"],
            "es": ["{last} Auditores"],
            "pt": ["{last} Contabilidade"],
        },
        products={"Ledger": 0.2},
        topics=("client bookkeeping at scale", "audit readiness"),
    ),
    _ind(
        "561311",
        2,
        (300, 1.2),
        {"*": ["{word} Talent Partners", "{word} Recruiting"]},
        products={"Payroll": 0.3},
    ),
    _ind(
        "561320",
        3,
        (1500, 1.3),
        {
            "*": ["{word} Staffing", "{word} Workforce Solutions"],
            "de": ["{word} Personal GmbH"],
            "nl": ["{word} Uitzendbureau B.V."],
        },
        products={"Payroll": 0.45, "Mobile App": 0.3},
        topics=("temporary worker payroll", "timesheet approvals"),
    ),
    _ind(
        "921140",
        5,
        (3000, 1.1),
        {
            "en": ["City of {city}"],
            "de": ["Stadt {city}"],
            "fr": ["Ville de {city}"],
            "nl": ["Gemeente {city}"],
            "sv": ["{city} kommun"],
            "pt": ["Prefeitura de {city}"],
            "es": ["Ayuntamiento de {city}"],
            "ja": ["{city} City Office"],
        },
        gifts=PUBLIC,
        products={"Procurement": 0.3},
        topics=("fund accounting", "public-sector procurement rules", "budget transparency"),
    ),
    _ind(
        "921190",
        1,
        (800, 1.0),
        {"en": ["{state} Department of Revenue", "{city} County Administration"]},
        countries=("US",),
        gifts=PUBLIC,
        topics=("fund accounting", "public-sector procurement rules"),
    ),
    _ind(
        "517111",
        2,
        (8000, 1.4),
        {"*": ["{word} Communications", "{word} Telecom", "{word} Fiber"]},
        products=FINANCE,
    ),
    _ind("517112", 1, (6000, 1.3), {"*": ["{word} Wireless", "{word} Mobile"]}, products=FINANCE),
    _ind(
        "531120",
        2,
        (200, 1.2),
        {
            "*": ["{word} Properties", "{word} Real Estate Partners"],
            "de": ["{word} Immobilien GmbH"],
            "fr": ["Foncière {word}"],
        },
        topics=("property-level accounting", "lease accounting"),
    ),
    _ind("531210", 1, (120, 1.1), {"*": ["{last} Realty", "{word} Realty Group"]}),
    _ind(
        "236220",
        3,
        (350, 1.2),
        {
            "en": ["{last} Construction *", "{last} Builders *", "{word} Contractors *"],
            "de": ["{last} Bau GmbH"],
            "fr": ["Bâtiments {last}"],
            "es": ["Construcciones {last}"],
            "pt": ["Construtora {last}"],
            "nl": ["Bouwbedrijf {last}"],
            "sv": ["{last} Bygg AB"],
            "ja": ["{last} Construction Co."],
        },
        products={"Procurement": 0.25, "Mobile App": 0.2},
        topics=("project cost accounting", "subcontractor payments"),
    ),
    _ind(
        "237310",
        1,
        (500, 1.0),
        {"*": ["{word} Civil Contractors", "{last} Paving"]},
        topics=("project cost accounting",),
    ),
    _ind(
        "238220",
        2,
        (80, 1.0),
        {
            "en": ["{last} Plumbing & Heating *", "{word} Mechanical *"],
            "de": ["{last} Haustechnik"],
        },
        products={"Mobile App": 0.3},
    ),
    _ind(
        "713940",
        2,
        (250, 1.3),
        {
            "*": ["{word} Fitness", "{word} Athletic Clubs", "{city} Climbing Gym"],
            "de": ["{word} Fitnessstudios"],
        },
        products=FRONTLINE,
        topics=("membership revenue", "part-time staff scheduling"),
    ),
    _ind(
        "423450",
        1,
        (400, 1.1),
        {"*": ["{word} Medical Supply", "{last} Surgical Distributors"]},
        products={"Procurement": 0.3},
    ),
    _ind(
        "813211",
        1,
        (40, 0.8),
        {
            "en": ["{last} Family Foundation", "{city} Community Foundation"],
            "de": ["{last}-Stiftung"],
            "fr": ["Fondation {last}"],
            "es": ["Fundación {last}"],
            "pt": ["Fundação {last}"],
            "nl": ["Stichting {last}"],
            "sv": ["{last}stiftelsen"],
        },
        gifts=(0.5, 0.4),
        topics=("grant accounting",),
    ),
]

BLOCK_REASONS = [
    "Open priority-1 support escalation; wait until it is closed",
    "Renewal negotiation under way; ask the AE first",
    "New executive sponsor; relationship being rebuilt",
    "Billing dispute with finance; do not approach",
    "Reorganisation at the customer; contacts changing",
]
NOTES = [
    "Prefers calls on Tuesday or Thursday mornings.",
    "Happy to talk about the move away from {rival}; ask about the audit.",
    "Spoke at our user conference last year; very well received.",
    "Prefers prospects in the same industry.",
    "Strong advocate; the CFO sponsored the rollout personally.",
    "Ask the AE before every contact; renewal is due in {month}.",
    "Only takes calls in {language}.",
    "Limit to one call a month, please.",
    "Great on the implementation story; less so on pricing.",
    "Will not speak with prospects that compete with them locally.",
    "Good fit for webinars; camera-shy for video case studies.",
    "Recently promoted; congratulate when you reach out.",
    "Busy at quarter-end; avoid the last two weeks of each quarter.",
]
LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "nl": "Dutch",
    "sv": "Swedish",
    "pt": "Portuguese",
    "ja": "Japanese",
    "es": "Spanish",
}

ALL_STATUSES = ("active", "candidate", "invited", "paused", "retired", "declined")
# Share of references in each status (the rest of the counts go to active).
STATUS_SHARE = {
    "candidate": 0.14,
    "invited": 0.08,
    "paused": 0.08,
    "retired": 0.07,
    "declined": 0.08,
}
# Status walks after creation as a candidate, with their weights, and the reason for each step.
STATUS_WALKS = {
    "candidate": [((), 9), (("invited", "candidate"), 1)],
    "invited": [(("invited",), 1)],
    "active": [(("invited", "active"), 85), (("invited", "active", "paused", "active"), 15)],
    "paused": [(("invited", "active", "paused"), 1)],
    "retired": [
        (("invited", "active", "retired"), 6),
        (("invited", "active", "paused", "retired"), 3),
        (("retired",), 1),
    ],
    "declined": [(("invited", "declined"), 3), (("declined",), 1)],
}
STEP_REASONS = {
    ("candidate", "invited"): [
        "Invited to join the reference program",
        "Invited after a strong QBR",
    ],
    ("invited", "active"): ["Accepted the invitation", "Signed the reference agreement"],
    ("invited", "candidate"): [
        "Invitation bounced; back to candidates until a new contact is confirmed"
    ],
    ("active", "paused"): [
        "Busy with year-end close; asked for a break",
        "Project on hold; revisit next quarter",
        "On leave for a few months",
        "Had three calls in a month; resting",
    ],
    ("paused", "active"): ["Back from the break", "Available again after the go-live"],
    ("active", "retired"): ["Left the company", "Changed role; no longer uses the product"],
    ("paused", "retired"): ["Left the company", "Asked to step back for good"],
    ("candidate", "retired"): ["Left the company before being invited"],
    ("invited", "declined"): [
        "Declined: company policy forbids public endorsements",
        "Declined: too busy this year",
        "No reply after two reminders",
    ],
    ("candidate", "declined"): [
        "AE advised against asking: open escalation",
        "Declined when asked informally",
    ],
}
NOMINATION_REASONS = [
    "Nominated by the account team",
    "Nominated by {owner} after a great QBR",
    "Suggested at the customer advisory board",
    "Found by the program team in the CRM",
]

USERS = [
    # email, first, last, role, team
    ("pm@example.com", "Priya", "Raman", "program_manager", "Customer Marketing"),
    ("dana.whitfield@example.com", "Dana", "Whitfield", "sales_rep", "East"),
    ("marcus.bell@example.com", "Marcus", "Bell", "sales_rep", "East"),
    ("carlos.rivera@example.com", "Carlos", "Rivera", "sales_rep", "West"),
    ("jenna.park@example.com", "Jenna", "Park", "sales_rep", "West"),
    ("sophie.laurent@example.com", "Sophie", "Laurent", "sales_rep", "EMEA"),
    ("jonas.becker@example.com", "Jonas", "Becker", "sales_rep", "EMEA"),
    ("hiro.tanaka@example.com", "Hiro", "Tanaka", "sales_rep", "APAC"),
    ("ana.souza@example.com", "Ana", "Souza", "sales_rep", "LATAM"),
    ("maya.chen@example.com", "Maya", "Chen", "requester", "Marketing"),
    ("tom.fischer@example.com", "Tom", "Fischer", "requester", "PR & Communications"),
    ("exec@example.com", "Elena", "Novak", "executive", "Leadership"),
]


@dataclass
class DemoSummary:
    """What the demo loaded, for the CLI to print and tests to check."""

    seed: int
    accounts: int = 0
    contacts: int = 0
    references: int = 0
    status_changes: int = 0
    users_created: list[str] = field(default_factory=list)
    users_existing: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    rewards: dict = field(default_factory=dict)
    activities: dict = field(default_factory=dict)
    growth: dict = field(default_factory=dict)
    referrals: dict = field(default_factory=dict)
    countries: dict[str, int] = field(default_factory=dict)
    industries: dict[str, int] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)  # label -> email
    password: str = DEMO_PASSWORD


# --- helpers --------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _slug(text: str, sep: str = "") -> str:
    return re.sub(r"[^a-z0-9]+", sep, _ascii(text).lower()).strip(sep)


def _weighted(rng: random.Random, pairs):
    items, weights = zip(*pairs, strict=True)
    return rng.choices(items, weights=weights)[0]


class _Names:
    """Seeded Faker instances, one per locale, for people's and family names."""

    def __init__(self, seed: int):
        self.seed, self._fakers = seed, {}

    def faker(self, locale: str):
        from faker import Faker

        if locale not in self._fakers:
            fake = Faker(locale)
            fake.seed_instance(self.seed * 1000 + sum(map(ord, locale)))
            self._fakers[locale] = fake
        return self._fakers[locale]

    def person(self, locale: str) -> tuple[str, str]:
        fake = self.faker(locale)
        if locale == "ja_JP":
            return fake.first_romanized_name(), fake.last_romanized_name()
        return fake.first_name(), fake.last_name()

    def last(self, locale: str) -> str:
        return self.person(locale)[1]


def _locale(country: str, language: str) -> str:
    return FAKER_LOCALE_BY_LANGUAGE.get((country, language), COUNTRIES[country][1])


def _phone(rng: random.Random, country: str) -> str:
    prefix = COUNTRIES[country][4]
    digits = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))  # noqa: E731
    if prefix == "+1":
        return f"+1 {rng.randint(201, 989)} 555 01{digits(2)}"
    return f"{prefix} {rng.randint(10, 99)} {digits(4)} {digits(4)}"


def _employees(rng: random.Random, median: int, sigma: float) -> int:
    value = int(min(200_000, max(20, math.exp(rng.gauss(math.log(median), sigma)))))
    if value >= 1000:
        return round(value, -2)
    if value >= 100:
        return round(value, -1)
    return value


def _crm_id(rng: random.Random, prefix: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    return prefix + "".join(rng.choice(alphabet) for _ in range(15))


# --- the parts ------------------------------------------------------------------------------


def demo_users(summary: DemoSummary) -> dict[str, object]:
    """The program's people, by email; existing users are kept as they are."""
    from django.contrib.auth.hashers import make_password

    from refdesk.people.models import User
    from refdesk.people.services import user_create

    users, hashed = {}, None
    for email, first, last, role, team in USERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            hashed = hashed or make_password(
                DEMO_PASSWORD
            )  # hash once: the slow part of making users
            user = user_create(email=email, role=role, first_name=first, last_name=last, team=team)
            user.password = hashed
            user.save(update_fields=["password"])
            summary.users_created.append(email)
        else:
            summary.users_existing.append(email)
        users[email] = user
    summary.logins = {
        "program manager": USERS[0][0],
        "sales rep (East)": USERS[1][0],
        "executive": USERS[-1][0],
    }
    return users


@dataclass
class _AccountPlan:
    account: object
    industry: Industry
    country: str
    city: tuple
    domain: str
    owner_name: str


def _industry_sequence(rng: random.Random, n: int) -> list[Industry]:
    """Every industry once (in a shuffled order) while there is room, then by weight."""
    first = INDUSTRIES[:]
    rng.shuffle(first)
    rest = rng.choices(INDUSTRIES, weights=[i.weight for i in INDUSTRIES], k=max(0, n - len(first)))
    return (first + rest)[:n]


def _countries_for(industries: list[Industry], rng: random.Random) -> list[str]:
    """A country per account: each country at least once while possible, then by weight."""
    pending = list(COUNTRIES)
    rng.shuffle(pending)
    result = []
    for industry in industries:
        allowed = industry.countries or tuple(COUNTRIES)
        pick = next((c for c in pending if c in allowed), None)
        if pick is None:
            pick = rng.choices(allowed, weights=[COUNTRIES[c][0] for c in allowed])[0]
        else:
            pending.remove(pick)
        result.append(pick)
    return result


US_ONLY = re.compile(r"\{state\}|Federal|Unified|Independent School|County")
LEGAL_FORM_AT_END = re.compile(
    r"(AG|GmbH|S\.A\.|S\.L\.|B\.V\.|N\.V\.|AB|Ltda\.|KG|Co\.|LLP|Ltd\.?|Inc\.)$"
)


def _account_name(
    rng: random.Random, names: _Names, industry: Industry, country: str, city: tuple
) -> str:
    language = city[3][0]
    locale = _locale(country, language)
    templates = industry.names.get(language) or industry.names.get("*") or industry.names.get("en")
    if country != "US":
        templates = (
            [t for t in templates if not US_ONLY.search(t)]
            or industry.names.get("*")
            or ["{word} Group *"]
        )
    elif "School Board" in " ".join(templates):
        templates = [t for t in templates if "School Board" not in t]
    template = rng.choice(templates)
    saints = SAINTS.get(language, SAINTS["en"])
    name = template.format(
        city=city[0],
        state=US_STATES.get(city[1], city[1]),
        word=rng.choice(WORDS),
        saint=rng.choice(saints),
        last=names.last(locale),
        last2=names.last(locale),
        last3=names.last(locale),
    )
    # Company templates (the "*" list, or ending in " *") get the country's legal form.
    corporate = template.endswith(" *") or template in (industry.names.get("*") or [])
    name = name.removesuffix(" *")
    name = (
        name[0].upper() + name[1:]
    )  # "van der Horst Logistiek" starts a name as "Van der Horst …"
    if corporate and not LEGAL_FORM_AT_END.search(name):
        name = f"{name} {rng.choice(COUNTRIES[country][2])}"
    return name


DOMAIN_NOISE = {"company", "group", "services", "inc", "partners", "solutions", "international"}


def _domain(name: str, country: str, taken: set[str]) -> str:
    words = [
        w
        for w in _slug(name, " ").split()
        if w
        not in {
            "inc",
            "llc",
            "corp",
            "ltd",
            "plc",
            "gmbh",
            "ag",
            "kg",
            "co",
            "sa",
            "sas",
            "bv",
            "nv",
            "ab",
            "ltda",
            "sl",
            "pty",
            "kk",
            "llp",
            "the",
            "of",
            "de",
            "la",
            "le",
            "and",
            "s",
            "a",
            "b",
            "v",
            "n",
            "l",
        }
    ]
    words = [w for w in words if w not in DOMAIN_NOISE] or words or ["customer"]
    base = "".join(words)
    if len(base) > 24:  # long names go by their initials, as hospitals and universities often do
        base = "".join(w[0] for w in words) if len(words) >= 3 else words[0]
    tld = (
        "org"
        if country == "US"
        and re.search(
            r"(University|District|Schools|City of|Foundation|Credit Union|"
            r"Department|County|Hospital|Medical Center|Health)",
            name,
        )
        else COUNTRIES[country][3]
    )
    domain, n = f"{base}.{tld}", 2
    while domain in taken:
        domain, n = f"{base}{n}.{tld}", n + 1
    taken.add(domain)
    return domain


def _products_for(rng: random.Random, industry: Industry, employees: int) -> list[str]:
    chosen = []
    for product in PRODUCTS:
        chance = PRODUCT_BASE[product] + industry.products.get(product, 0.0)
        if product in ("Treasury", "Planning") and employees > 2000:
            chance += 0.15
        if rng.random() < chance:
            chosen.append(product)
    return chosen or [rng.choice(["Ledger", "Payroll"])]


def demo_accounts(
    rng: random.Random, names: _Names, users: dict, count: int, *, actor
) -> list[_AccountPlan]:
    """About `count` customer accounts across industries and countries, owned by the sales reps."""
    from refdesk.pool.services import account_create, products_get_or_create

    products_get_or_create(PRODUCTS)
    reps_by_team: dict[str, list[str]] = {}
    for email, _first, _last, role, team in USERS:
        if role == "sales_rep":
            reps_by_team.setdefault(team, []).append(email)
    today = dt.date.today()
    industries = _industry_sequence(rng, count)
    countries = _countries_for(industries, rng)
    taken_names: set[str] = set()
    taken_domains: set[str] = set()
    plans = []
    for industry, country in zip(industries, countries, strict=True):
        city = rng.choice(COUNTRIES[country][5])
        for _ in range(10):
            name = _account_name(rng, names, industry, country, city)
            if name.lower() not in taken_names:
                break
            city = rng.choice(COUNTRIES[country][5])
        else:
            name = f"{name} ({city[0]})"
        taken_names.add(name.lower())
        team = SALES_TEAM_BY_COUNTRY.get(country) or ("West" if city[2] in WEST_ZONES else "East")
        owner_email = rng.choice(reps_by_team[team])
        employees = _employees(rng, *industry.size)
        donation, thanks = industry.gifts
        roll = rng.random()
        if roll < donation:
            gift_policy = "donation_only"
        elif roll < donation + thanks:
            gift_policy = "thank_you_only"
        else:
            gift_policy = "thank_you_only" if rng.random() < 0.04 else "gifts_allowed"
        blocked = rng.random() < 0.04
        account = account_create(
            actor=actor,
            name=name,
            external_id=_crm_id(rng, "001"),
            industry=industry.code,
            country=country,
            employees=employees,
            products=_products_for(rng, industry, employees),
            live_since=today - dt.timedelta(days=rng.randint(45, 5 * 365)),
            owner_email=owner_email,
            gift_policy=gift_policy,
            matching_blocked=blocked,
            blocked_reason=rng.choice(BLOCK_REASONS) if blocked else "",
        )
        owner = users.get(owner_email)
        plans.append(
            _AccountPlan(
                account,
                industry,
                country,
                city,
                _domain(name, country, taken_domains),
                owner.first_name if owner else "the AE",
            )
        )
    return plans


def _status_plan(rng: random.Random, n: int) -> list[str]:
    """Exactly proportional statuses, every one present when n allows, in a shuffled order."""
    if n < len(ALL_STATUSES):
        result = list(ALL_STATUSES)[:n]
    else:
        result = [s for s, share in STATUS_SHARE.items() for _ in range(max(1, round(n * share)))]
        result += ["active"] * (n - len(result))
    rng.shuffle(result)
    return result


def _activity_types(rng: random.Random, status: str, industry: Industry) -> list[str]:
    if status == "declined":
        return []
    if status in ("candidate", "invited"):
        return ["reference_call"] if rng.random() < 0.35 else []
    chances = [
        ("reference_call", 0.85),
        ("case_study", 0.28),
        ("webinar", 0.2),
        ("speaking", 0.12),
        ("media", 0.08),
        ("site_visit", 0.25 if industry.site_visits else 0.05),
        ("quote", 0.35),
        ("logo", 0.3),
        ("referral", 0.2),
    ]
    chosen = [kind for kind, chance in chances if rng.random() < chance]
    return chosen or ["reference_call"]


def _nps(rng: random.Random, status: str) -> int:
    if status in ("declined", "retired"):
        return _weighted(
            rng,
            [(10, 8), (9, 14), (8, 20), (7, 20), (6, 14), (5, 10), (4, 6), (3, 4), (2, 2), (0, 2)],
        )
    return _weighted(
        rng, [(10, 26), (9, 31), (8, 20), (7, 12), (6, 5), (5, 3), (4, 1), (3, 1), (1, 1)]
    )


def _reference_fields(
    rng: random.Random, plan: _AccountPlan, focus: str, status: str, language: str
) -> dict:
    today = dt.date.today()
    live_days = max(5, (today - plan.account.live_since).days)
    products = [p.name for p in plan.account.products.all()]
    topics = rng.sample(PRODUCT_TOPICS[focus], k=min(len(PRODUCT_TOPICS[focus]), rng.randint(1, 2)))
    if plan.industry.topics and rng.random() < 0.6:
        topics.append(rng.choice(plan.industry.topics))
    if rng.random() < 0.45:
        topics.append(rng.choice(GENERAL_TOPICS))
    other = [p for p in products if p != focus]
    if other and rng.random() < 0.3:
        topics.append(rng.choice(PRODUCT_TOPICS[rng.choice(other)]))
    rivals = []
    roll = rng.random()
    if roll < 0.65:
        rivals = rng.sample(RIVALS[focus], k=2 if roll < 0.12 and len(RIVALS[focus]) > 1 else 1)
    activity = _activity_types(rng, status, plan.industry)
    fields = {"activity_types": activity, "topics": topics, "competitors_displaced": rivals}
    if rng.random() < 0.9:
        nps = _nps(rng, status)
        fields.update(
            nps=nps, nps_date=today - dt.timedelta(days=rng.randint(3, min(540, live_days)))
        )
    if rng.random() < 0.4:
        fields.update(
            csat=_weighted(rng, [(5, 44), (4, 40), (3, 10), (2, 4), (1, 2)]),
            csat_date=today - dt.timedelta(days=rng.randint(3, min(400, live_days))),
        )
    if (
        status in ("active", "paused")
        and {"quote", "logo", "case_study"} & set(activity)
        and rng.random() < 0.75
    ):
        channels = ["web", "sales_deck", "press", "social"]
        fields["testimonial_channels"] = sorted(
            rng.sample(channels, k=rng.randint(1, 3)), key=channels.index
        )
        if rng.random() < 0.6:
            fields["testimonial_expires"] = today + dt.timedelta(days=rng.randint(-90, 730))
    if (
        status in ("retired", "declined")
        and rng.random() < 0.12
        or status == "paused"
        and rng.random() < 0.03
    ):
        fields["opted_out"] = True
    if rng.random() < 0.3:
        month = (today + dt.timedelta(days=rng.randint(30, 300))).strftime("%B")
        fields["notes"] = rng.choice(NOTES).format(
            rival=rivals[0] if rivals else rng.choice(RIVALS[focus]),
            month=month,
            language=LANGUAGE_NAMES.get(language, "English"),
        )
    return fields


def _timeline(rng: random.Random, live_since: dt.date, steps: int) -> list[dt.datetime]:
    """`steps` increasing moments between a while after go-live and now."""
    now = dt.datetime.now(dt.UTC)
    start = dt.datetime.combine(live_since, dt.time(9), tzinfo=dt.UTC)
    span = (now - start).total_seconds()
    moment = start + dt.timedelta(seconds=span * rng.uniform(0.15, 0.5))
    result = [moment]
    for _ in range(steps - 1):
        moment += dt.timedelta(seconds=(now - moment).total_seconds() * rng.uniform(0.15, 0.6))
        result.append(moment)
    return [
        m.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0, microsecond=0)
        if m.date() < now.date()
        else m
        for m in result
    ]


def demo_references(
    rng: random.Random, names: _Names, plans: list[_AccountPlan], *, actor
) -> dict[int, list]:
    """1–3 contacts per account, each a reference walked through its status history.

    Returns reference id -> the moments its history rows should carry (oldest first).
    """
    from refdesk.pool.services import contact_create, reference_create, reference_status_change

    sizes = [_weighted(rng, [(1, 30), (2, 40), (3, 30)]) for _ in plans]
    statuses = iter(_status_plan(rng, sum(sizes)))
    taken_emails: set[str] = set()
    timelines: dict[int, list] = {}
    for plan, size in zip(plans, sizes, strict=True):
        products = [p.name for p in plan.account.products.all()]
        titles_used: set[str] = set()
        for _ in range(size):
            language = rng.choice(plan.city[3]) if rng.random() < 0.25 else plan.city[3][0]
            first, last = names.person(_locale(plan.country, language))
            local = f"{_slug(first, '-')}.{_slug(last, '-')}" or "contact"
            email, n = f"{local}@{plan.domain}", 2
            while email in taken_emails:
                email, n = f"{local}{n}@{plan.domain}", n + 1
            taken_emails.add(email)
            focus = rng.choice(products)
            pool = PRODUCT_TITLES[focus] if rng.random() < 0.9 else IT_TITLES
            titles = [t for t in pool if t not in titles_used] or IT_TITLES
            title = rng.choice(titles)
            titles_used.add(title)
            languages = list(dict.fromkeys([language, *plan.city[3]]))
            contact = contact_create(
                actor=actor,
                account=plan.account,
                name=f"{first} {last}",
                email=email,
                title=title,
                phone=_phone(rng, plan.country),
                languages=languages,
                time_zone=plan.city[2],
                external_id=_crm_id(rng, "003"),
            )
            status = next(statuses)
            fields = _reference_fields(rng, plan, focus, status, language)
            walk = _weighted(rng, STATUS_WALKS[status])
            reason = rng.choice(NOMINATION_REASONS).format(owner=plan.owner_name)
            if fields.get("nps", 0) >= 9 and rng.random() < 0.4:
                reason = f"Nominated after an NPS score of {fields['nps']}"
            reference = reference_create(actor=actor, contact=contact, reason=reason, **fields)
            previous = "candidate"
            for step in walk:
                reference = reference_status_change(
                    actor=actor,
                    reference=reference,
                    to_status=step,
                    reason=rng.choice(STEP_REASONS[(previous, step)]),
                )
                previous = step
            timelines[reference.pk] = _timeline(rng, plan.account.live_since, 1 + len(walk))
    return timelines


def demo_backdate(timelines: dict[int, list]) -> int:
    """Spread each reference's history over the months since go-live, as a real program would have it."""
    from django.db import connection

    from refdesk.pool.models import ReferenceProfile, ReferenceStatusChange

    adapt = connection.ops.adapt_datetimefield_value
    rows = ReferenceStatusChange.objects.filter(reference_id__in=timelines).order_by(
        "reference_id", "pk"
    )
    position: Counter = Counter()
    changes = []
    for pk, reference_id in rows.values_list("pk", "reference_id"):
        changes.append((adapt(timelines[reference_id][position[reference_id]]), pk))
        position[reference_id] += 1
    profiles = [(adapt(times[0]), adapt(times[-1]), pk) for pk, times in timelines.items()]
    # Plain UPDATEs in one executemany each: bulk_update's CASE statements are several times slower.
    history, profile = ReferenceStatusChange._meta.db_table, ReferenceProfile._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {history} SET changed_at = %s WHERE id = %s", changes)
        cursor.executemany(
            f"UPDATE {profile} SET created_at = %s, status_changed_at = %s WHERE id = %s", profiles
        )
    return len(changes)


def demo_load(
    *, seed: int = DEFAULT_SEED, accounts: int = DEFAULT_ACCOUNTS, requests: int | None = None, history: bool = True
) -> DemoSummary:
    """Load the whole demo program into an empty pool and say what was loaded.

    `history=False` loads only the pool (users, accounts, references): the year of requests,
    activities and rewards is skipped.
    """
    from django.db import transaction

    from refdesk.activities.demo import demo_activities
    from refdesk.asks.demo import demo_requests
    from refdesk.asks.events import notifications_suspended
    from refdesk.core.errors import Conflict, InvalidInput
    from refdesk.growth.demo import demo_growth
    from refdesk.pool.models import Account, Contact, ReferenceProfile
    from refdesk.referrals.demo import demo_referrals
    from refdesk.rewards.demo import demo_rewards

    if not 1 <= accounts <= 20_000:
        raise InvalidInput("--accounts must be between 1 and 20000.")
    existing = Account.objects.count()
    if existing:
        raise Conflict(
            f"The pool already has {existing} account(s); the demo loads only into an empty pool. "
            "Use --if-empty to skip quietly, or point DATABASE_URL at a new database."
        )
    rng = random.Random(seed)
    names = _Names(seed)
    summary = DemoSummary(seed=seed)
    with transaction.atomic():
        users = demo_users(summary)
        pm = users[USERS[0][0]]
        actor = pm if getattr(pm, "is_program_manager", False) else None
        plans = demo_accounts(rng, names, users, accounts, actor=actor)
        timelines = demo_references(rng, names, plans, actor=actor)
        summary.status_changes = demo_backdate(timelines)
        if history:
            with notifications_suspended():
                count = accounts // 2 if requests is None else requests
                summary.requests = dict(demo_requests(rng=rng, today=dt.date.today(), count=count))
                summary.activities = demo_activities(rng=rng, today=dt.date.today())
                summary.rewards = demo_rewards(rng=rng, today=dt.date.today())
                summary.growth = demo_growth(rng=rng, today=dt.date.today())
                summary.referrals = demo_referrals(rng=rng, today=dt.date.today(), count=max(12, accounts // 3))
    summary.accounts = Account.objects.count()
    summary.contacts = Contact.objects.count()
    summary.references = ReferenceProfile.objects.count()
    summary.statuses = dict(
        Counter(ReferenceProfile.objects.values_list("status", flat=True)).most_common()
    )
    summary.countries = dict(
        Counter(Account.objects.values_list("country", flat=True)).most_common()
    )
    summary.industries = dict(
        Counter(Account.objects.values_list("industry_id", flat=True)).most_common()
    )
    return summary


# --- the command ----------------------------------------------------------------------------


def register(sub) -> None:
    p = sub.add_parser("demo", help="load a believable demo program into an empty database")
    p.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"the same seed gives the same program (default {DEFAULT_SEED})",
    )
    p.add_argument(
        "--accounts",
        type=int,
        default=DEFAULT_ACCOUNTS,
        help=f"how many customer accounts (default {DEFAULT_ACCOUNTS})",
    )
    p.add_argument(
        "--if-empty", action="store_true", help="do nothing if the pool already has accounts"
    )
    p.add_argument(
        "--pool-only", action="store_true", help="load only users, accounts and references (no year of history)"
    )
    p.set_defaults(func=demo_command)


def demo_command(args) -> int:
    from refdesk.cli import ensure_migrated
    from refdesk.pool.models import Account

    ensure_migrated()
    if args.if_empty and Account.objects.exists():
        print(
            f"The demo is already loaded (or the pool has data): log in at {LOGIN_URL} "
            f"as {USERS[0][0]} with password {DEMO_PASSWORD}"
        )
        return 0
    summary = demo_load(seed=args.seed, accounts=args.accounts, history=not args.pool_only)
    statuses = ", ".join(f"{status} {n}" for status, n in summary.statuses.items())
    print(
        f"Loaded the demo program (seed {summary.seed}): {summary.accounts} accounts in "
        f"{len(summary.countries)} countries and {len(summary.industries)} industries, "
        f"{summary.contacts} contacts, {summary.references} references ({statuses}), "
        f"{summary.status_changes} status changes."
    )
    if summary.requests:
        states = ", ".join(f"{state} {n}" for state, n in sorted(summary.requests.items(), key=lambda kv: -kv[1]))
        print(f"Reference requests over the last year: {sum(summary.requests.values())} ({states}).")
    print(
        f"Users: {len(summary.users_created)} created, {len(summary.users_existing)} already there "
        f"(existing users keep their passwords)."
    )
    for label, email in summary.logins.items():
        print(f"  {label:<17} {email}")
    print(f"Log in at {LOGIN_URL} as {USERS[0][0]} with password {DEMO_PASSWORD}")
    print(
        f"Also try {summary.logins['sales rep (East)']} (a sales rep) or {summary.logins['executive']} "
        f"(an executive), same password."
    )
    return 0
