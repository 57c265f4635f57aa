"""Small all-or-nothing spreadsheet imports (surveys, wins, referral leads) on the pool's reader.

`pool.importing.Spreadsheet` does the hard parts (CSV encodings and delimiters, XLSX); this
module maps headers to canonical columns and hands each data row over with its line number,
so every import reports problems the same way: `line N: column: reason`, and writes nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from refdesk.core.errors import InvalidInput
from refdesk.pool.importing import RowError, Spreadsheet

__all__ = ["RowError", "norm_header", "open_sheet", "rows"]


def norm_header(text: Any) -> str:
    return re.sub(r"[\s_\-.]+", "", str(text or "").replace("\ufeff", "").strip().lower())


@contextmanager
def open_sheet(path_or_file, filename: str | None = None) -> Iterator[Spreadsheet]:
    """A Spreadsheet over a path or an uploaded/in-memory file (copied to a temporary file)."""
    temp_dir = None
    try:
        if isinstance(path_or_file, str | os.PathLike):
            path = Path(path_or_file)
            if not path.is_file():
                raise InvalidInput(f"No file {path}.")
        else:
            temp_dir = tempfile.mkdtemp(prefix="refdesk-growth-")
            path = Path(temp_dir) / "upload"
            if hasattr(path_or_file, "seek"):
                path_or_file.seek(0)
            data = path_or_file.read()
            with open(path, "wb") as out:
                out.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        name = os.path.basename(str(filename or getattr(path_or_file, "name", None) or path.name))
        yield Spreadsheet(path, name)
    finally:
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)


def rows(
    sheet: Spreadsheet, *, columns: dict[str, str], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, {canonical column: cell}) for each non-blank data row.

    `columns` maps normalised header spellings to canonical names. Unknown headers are ignored;
    a missing required column refuses the whole file at once.
    """
    header: list[str | None] | None = None
    for line, cells in sheet.records():
        if header is None:
            if not any(str(c or "").strip() for c in cells):
                continue
            header = [columns.get(norm_header(c)) for c in cells]
            missing = [name for name in required if name not in header]
            if missing:
                raise InvalidInput(
                    f"{sheet.filename}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.",
                    details={"columns": f"missing {', '.join(missing)}"},
                )
            continue
        if not any(str(c if c is not None else "").strip() for c in cells):
            continue
        yield (
            line,
            {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name},
        )
