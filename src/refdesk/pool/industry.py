"""Free-text industry -> NAICS codes. A first resolver over the official titles."""

import re
from dataclasses import dataclass

from refdesk.pool import naics


@dataclass(frozen=True)
class IndustryMatch:
    code: str
    title: str
    score: float


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in {"and", "the", "except"}}


def industry_resolve(text: str, *, limit: int = 5) -> list[IndustryMatch]:
    """The NAICS codes that best fit a free-text industry, best first."""
    text = (text or "").strip()
    if not text:
        return []
    if naics.is_code(text):
        return [IndustryMatch(text, naics.title(text), 1.0)]
    wanted = _words(text)
    if not wanted:
        return []
    scored = []
    for code, title in naics.codes().items():
        if naics.level_of(code) != 4:
            continue
        have = _words(title)
        common = wanted & have
        if common:
            score = len(common) / len(wanted) * 0.9 + 0.1 * len(common) / len(have)
            scored.append(IndustryMatch(code, title, round(min(score, 1.0), 3)))
    scored.sort(key=lambda m: (-m.score, m.code))
    return scored[:limit]


def industry_code_for(text: str, *, min_score: float = 0.5) -> str | None:
    """One code for a value from a spreadsheet: a NAICS code as is, else the best confident match."""
    text = (text or "").strip()
    if not text:
        return None
    if naics.is_code(text):
        return text
    matches = industry_resolve(text, limit=1)
    if matches and matches[0].score >= min_score:
        return matches[0].code
    return None
