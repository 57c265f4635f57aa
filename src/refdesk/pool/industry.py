"""Free-text industry -> NAICS 2022 codes.

Salespeople write "cattle ranch", "regional bank", "3PL" or "SaaS vendor", not NAICS titles.
The resolver matches the words against two sources at once:

* the reviewed everyday terms in ``data/industry_terms.toml`` (strong and weak terms per code);
* every official NAICS title, all levels, so a word missing from the file still lands sensibly.

Text is tokenised, abbreviations expanded, words lightly stemmed (plurals, -ing, -er, ...), and
each query word is weighted by how rare it is. Words that are not in the vocabulary are tried as a
typo (optimal string alignment distance through rapidfuzz), a prefix ("pharm") and a compound ("healthcare").
A candidate scores the share of the query it explains × (0.55 + 0.45 × the share of its own words
the query covers), times 1.0 for a strong term, 0.9 for a weak one and 0.95 for a title. Scores
are 0..1, results best first and deterministic. Indexes are built once, at first use.
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

from refdesk.pool import naics


@dataclass(frozen=True)
class IndustryMatch:
    """One NAICS code that fits a free-text industry, with a score from 0 to 1."""

    code: str
    title: str
    score: float


TERMS_FILE = "industry_terms.toml"
STRONG, WEAK, TITLE = 1.0, 0.9, 0.95
OWN_SHARE = 0.7  # how much it matters that the candidate's own words are all matched
SAME_GROUP_DAMPING = 0.85  # each further result from an already listed 4-digit group counts less
MAX_TEXT = 200

STOPWORDS = frozenset(
    """a an and are as at by for from in into is of on or the to with via our their its we they
    except including include other others all misc miscellaneous related etc nec
    company companies co corp corporation inc incorporated llc llp ltd limited plc gmbh pty
    firm firms group groups chain chains holdings enterprises provider providers vendor vendors
    operator operators solutions solution industry industries sector type kind based
    large small midsize mid sized size medium leading largest biggest smb sme""".split()
)

# Words the light stemmer must leave alone (they would collide with another word).
STEM_EXCEPTIONS = frozenset(
    "nursery news gas bus lens press glass series species hospitality marketing machining trucking".split()
)

_TOKEN = re.compile(r"[a-z0-9]+(?:[-'&.][a-z0-9]+)*")
_EXCEPT = re.compile(r"\(except[^)]*\)|,?\s*except\b[^,;()]*", re.IGNORECASE)
_PARENS = re.compile(r"[()]")
_CODE_PREFIX = re.compile(
    r"^\s*(?:naics\s*(?:code)?\s*[:#]?\s*)?(\d{2}-\d{2}|\d{2,6})(?:\s|$|[-–:,.])", re.IGNORECASE
)


# ---------------------------------------------------------------- text


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()


def stem(word: str) -> str:
    """A light English stemmer: the same stem for ranch/ranches/ranching/rancher."""
    if word in STEM_EXCEPTIONS or len(word) <= 3 or not word.isalpha():
        return word
    w = word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith(("xes", "ches", "shes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    for suffix, replacement in (
        ("ational", ""),
        ("ation", ""),
        ("ities", ""),
        ("ity", ""),
        ("ment", ""),
        ("stry", "st"),
        ("tion", "t"),
        ("sion", "s"),
        ("ing", ""),
        ("ery", ""),
        ("er", ""),
        ("ed", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) + len(replacement) >= 3:
            w = w[: len(w) - len(suffix)] + replacement
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouylsz":
        w = w[:-1]
    return w


def _pieces(token: str) -> list[str]:
    """Split a hyphenated/ampersand token; glue pieces of one or two characters (e-commerce, k-12, e&p)."""
    parts = [p for p in re.split(r"[-'&.]", token) if p]
    out: list[str] = []
    glue = False
    for part in parts:
        if out and (glue or len(part) <= 2):
            out[-1] += part
        else:
            out.append(part)
        glue = len(part) <= 2
    return out


def _raw_words(text: str, abbreviations: dict[str, str]) -> list[str]:
    """Lower-case words after abbreviation expansion, before stemming."""
    words: list[str] = []
    for token in _TOKEN.findall(_ascii(text)):
        if token in abbreviations:
            words.extend(_TOKEN.findall(abbreviations[token]))
            continue
        for piece in _pieces(token):
            expansion = abbreviations.get(piece)
            words.extend(expansion.split() if expansion else [piece])
    return words


def _clean_title(title: str) -> str:
    return _PARENS.sub(" ", _EXCEPT.sub(" ", title))


# ---------------------------------------------------------------- index


@dataclass
class _Entry:
    stems: tuple[str, ...]
    codes: list[tuple[str, float]] = field(default_factory=list)
    weight_sum: float = 0.0


@dataclass
class _Index:
    abbreviations: dict[str, str]
    entries: list[_Entry]
    postings: dict[str, list[int]]
    idf: dict[str, float]
    vocab: list[str]  # sorted
    unknown_weight: float
    canonical: dict[str, str]
    term_count: int = 0


def _load_terms() -> dict:
    with resources.files("refdesk.pool").joinpath("data", TERMS_FILE).open("rb") as handle:
        return tomllib.load(handle)


def _canonical_codes() -> dict[str, str]:
    """Every code -> the code that stands for its chain of identical titles (1133/11331/113310 Logging).

    A 4-digit group is preferred (that is what matching compares most), else the narrowest code
    above the groups (221 over 22 "Utilities"), else the broadest below them (52213 over 522130)."""
    root: dict[str, str] = {code: code for code in naics.codes()}

    def find(code: str) -> str:
        while root[code] != code:
            root[code] = root[root[code]]
            code = root[code]
        return code

    for code in naics.codes():
        parent = naics.parent_of(code)
        if parent and naics.is_code(parent) and naics.title(parent) == naics.title(code):
            root[find(code)] = find(parent)
    chains: dict[str, list[str]] = {}
    for code in naics.codes():
        chains.setdefault(find(code), []).append(code)
    return {code: _pick(chain) for chain in chains.values() for code in chain}


def _pick(chain: list[str]) -> str:
    levels = {naics.level_of(c): c for c in chain}
    if 4 in levels:
        return levels[4]
    upper = [lvl for lvl in levels if lvl < 4]
    if upper:
        return levels[max(upper)]
    return levels[min(levels)]


@lru_cache(maxsize=1)
def _index() -> _Index:
    data = _load_terms()
    abbreviations = {k.lower(): v.lower() for k, v in data.pop("abbreviations", {}).items()}
    canonical = _canonical_codes()

    def stems_of(text: str) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for word in _raw_words(text, abbreviations):
            if word in STOPWORDS or (len(word) == 1) or word.isdigit():
                continue
            seen.setdefault(stem(word), None)
        return tuple(seen)

    by_stems: dict[tuple[str, ...], _Entry] = {}

    def add(text: str, code: str, base: float) -> None:
        stems = stems_of(text)
        if not stems:
            return
        code = canonical.get(code, code)
        entry = by_stems.setdefault(tuple(sorted(stems)), _Entry(stems=tuple(sorted(stems))))
        for i, (existing, existing_base) in enumerate(entry.codes):
            if existing == code:
                entry.codes[i] = (code, max(base, existing_base))
                return
        entry.codes.append((code, base))

    term_count = 0
    for code, table in data.items():
        for term in table.get("terms", []):
            add(term, code, STRONG)
            term_count += 1
        for term in table.get("weak", []):
            add(term, code, WEAK)
            term_count += 1
    for code, name in naics.codes().items():
        if canonical[code] == code:
            add(_clean_title(name), code, TITLE)

    entries = list(by_stems.values())
    postings: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        for s in entry.stems:
            postings.setdefault(s, []).append(i)
    n = len(entries)
    idf = {s: math.log(1 + n / len(ids)) for s, ids in postings.items()}
    for entry in entries:
        entry.weight_sum = sum(idf[s] for s in entry.stems)
    return _Index(
        abbreviations=abbreviations,
        entries=entries,
        postings=postings,
        idf=idf,
        vocab=sorted(postings),
        unknown_weight=math.log(1 + n / 8),
        canonical=canonical,
        term_count=term_count,
    )


# ---------------------------------------------------------------- query


def _expand(word: str, index: _Index) -> list[tuple[str, float]]:
    """Vocabulary stems a query word may stand for, with a similarity 0..1."""
    s = stem(word)
    if s in index.postings:
        return [(s, 1.0)]
    if word in index.postings:
        return [(word, 1.0)]
    found: dict[str, float] = {}
    if len(s) >= 4:
        max_edits = 1 if len(s) <= 6 else 2
        for candidate, distance, _ in process.extract(
            s, index.vocab, scorer=OSA.distance, score_cutoff=max_edits, limit=3
        ):
            if abs(len(candidate) - len(s)) <= max_edits and len(candidate) >= 4:
                found[candidate] = max(found.get(candidate, 0.0), 1.0 - distance / (len(s) + 1))
        start = bisect.bisect_left(index.vocab, s)
        completions = []
        for candidate in index.vocab[start : start + 50]:
            if not candidate.startswith(s):
                break
            completions.append(candidate)
        for candidate in sorted(completions, key=lambda c: (len(c), c))[:4]:
            found[candidate] = max(found.get(candidate, 0.0), 0.85)
    return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))


def _split_compound(word: str, index: _Index) -> list[str] | None:
    """'healthcare' -> ['health', 'care'] when both halves are known words."""
    if len(word) < 6 or not word.isalpha():
        return None
    best = None
    for i in range(3, len(word) - 2):
        left, right = word[:i], word[i:]
        if stem(left) in index.postings and stem(right) in index.postings:
            score = min(len(left), len(right))
            if best is None or score > best[0]:
                best = (score, [left, right])
    return best[1] if best else None


def _query_words(text: str, index: _Index) -> list[str]:
    raw = _raw_words(text, index.abbreviations)
    words: list[str] = []
    i = 0
    while i < len(raw):
        word = raw[i]
        if i + 1 < len(raw):  # "e commerce", "fin tech": join when the pair is a known word
            joined = word + raw[i + 1]
            if stem(joined) in index.postings and (
                stem(word) not in index.postings or stem(raw[i + 1]) not in index.postings
            ):
                words.append(joined)
                i += 2
                continue
        if stem(word) not in index.postings and word not in STOPWORDS:
            parts = _split_compound(word, index)
            if parts:
                words.extend(parts)
                i += 1
                continue
        words.append(word)
        i += 1
    return [w for w in words if w not in STOPWORDS and len(w) > 1 and not w.isdigit()]


def _scores(text: str) -> dict[str, float]:
    index = _index()
    words = _query_words(text, index)
    if not words:
        return {}
    query: list[tuple[float, list[tuple[str, float]]]] = []
    seen: set[str] = set()
    for word in words:
        s = stem(word)
        if s in seen:
            continue
        seen.add(s)
        expansions = _expand(word, index)
        weight = (
            index.idf[expansions[0][0]]
            if expansions and expansions[0][1] == 1.0
            else index.unknown_weight
        )
        query.append((weight, expansions))
    total = sum(weight for weight, _ in query)
    if not any(expansions for _, expansions in query):
        return {}

    covered: dict[int, float] = {}  # entry -> weighted share of the query it explains
    own: dict[int, float] = {}  # entry -> weight of its own words that matched
    for weight, expansions in query:
        best: dict[int, tuple[float, str]] = {}
        for vocab_stem, similarity in expansions:
            for entry_id in index.postings[vocab_stem]:
                if entry_id not in best or similarity > best[entry_id][0]:
                    best[entry_id] = (similarity, vocab_stem)
        for entry_id, (similarity, vocab_stem) in best.items():
            covered[entry_id] = covered.get(entry_id, 0.0) + weight * similarity
            own[entry_id] = own.get(entry_id, 0.0) + index.idf[vocab_stem] * similarity

    scores: dict[str, float] = {}
    for entry_id, matched in covered.items():
        entry = index.entries[entry_id]
        own_share = min(own[entry_id] / entry.weight_sum, 1.0)
        fit = (matched / total) * (1 - OWN_SHARE + OWN_SHARE * own_share)
        for code, base in entry.codes:
            value = fit * base
            if value > scores.get(code, 0.0):
                scores[code] = value
    return scores


def _level_rank(code: str) -> int:
    return {4: 0, 6: 1, 5: 2, 3: 3, 2: 4}[naics.level_of(code)]


def _group(code: str) -> str:
    return code[:4] if naics.level_of(code) >= 4 else code


def _code_in(text: str) -> list[IndustryMatch] | None:
    """A NAICS code typed as such ("1121", "NAICS 112111 Beef cattle", "31"), or None."""
    m = _CODE_PREFIX.match(text)
    if not m:
        return None
    code = m.group(1)
    if naics.is_code(code):
        return [IndustryMatch(code, naics.title(code), 1.0)]
    if len(code) == 2 and code.isdigit():
        sector = naics.sector_of(code)
        if naics.is_code(sector):
            return [IndustryMatch(sector, naics.title(sector), 1.0)]
    if code.isdigit() and text.strip() == code:  # an unknown code: its nearest known ancestor
        for n in range(len(code) - 1, 1, -1):
            if naics.is_code(code[:n]):
                return [IndustryMatch(code[:n], naics.title(code[:n]), 0.8)]
        return []
    return None


def industry_resolve(text: str, *, limit: int = 5) -> list[IndustryMatch]:
    """The NAICS codes that best fit a free-text industry, best first (a code passes through)."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text or limit < 1:
        return []
    direct = _code_in(text)
    if direct is not None:
        return direct[:limit]
    scores = _scores(text)
    if not scores:
        return []
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], _level_rank(kv[0]), kv[0]))
    # Greedy pick: a further code from a 4-digit group already listed counts a little less,
    # so the top of the list shows different readings rather than one group's children.
    pool = ranked[: max(limit * 6, 30)]
    picked: list[tuple[str, float]] = []
    per_group: dict[str, int] = {}
    while pool and len(picked) < limit:
        best_i, best_value = 0, -1.0
        for i, (code, value) in enumerate(pool):
            adjusted = value * SAME_GROUP_DAMPING ** per_group.get(_group(code), 0)
            if adjusted > best_value + 1e-12:
                best_i, best_value = i, adjusted
        code, _ = pool.pop(best_i)
        picked.append((code, best_value))
        per_group[_group(code)] = per_group.get(_group(code), 0) + 1
    return [
        IndustryMatch(code, naics.title(code), round(min(max(value, 0.0), 1.0), 3))
        for code, value in picked
    ]


@lru_cache(maxsize=8192)
def _code_for(text: str, min_score: float) -> str | None:
    if naics.is_code(text):
        return text
    matches = industry_resolve(text, limit=1)
    if matches and matches[0].score >= min_score:
        return matches[0].code
    return None


def industry_code_for(text: str, *, min_score: float = 0.5) -> str | None:
    """One code for a value from a spreadsheet: a NAICS code as is, else the best confident match."""
    text = " ".join((text or "").split())
    if not text:
        return None
    return _code_for(text, min_score)


def vocabulary_stats() -> dict[str, int]:
    """Sizes of the index, for the CLI and benchmarks: terms in the data file, entries, words."""
    index = _index()
    return {"terms": index.term_count, "entries": len(index.entries), "words": len(index.vocab)}


def data_codes() -> list[str]:
    """Every code the data file names (for its own tests)."""
    return [code for code in _load_terms() if code != "abbreviations"]
