"""Small hot queries compiled by Django once per shape, then run with new values bound."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

_compiled: dict[tuple, tuple[str, list, dict[str, list[int]], dict] | None] = {}
_lock = threading.Lock()
_MAX_SHAPES = 1024
# Stand-ins bound while compiling, found again in the parameters: no real id or count is negative.
_SENTINEL_BASE = -(10**15)


def compiled_rows(key: tuple, build: Callable[..., QuerySet], **values: int | str | list[int]) -> list[tuple]:
    """`list(build(**values))` for a `values_list` queryset whose only varying parameters are
    `values` (ints or strings, or lists of ints for `__in`), with Django's SQL compiled once per
    `key` and number of items in each list, and the values bound into that SQL afterwards.

    For a query run on every match or API call: Django spends several times longer building and
    compiling a five-table query than PostgreSQL spends running it. The rows hold what the ORM
    would give (Django's converters applied: datetimes, booleans on SQLite). `key` names the query
    and anything else its SQL depends on (a date it compares with). Each value is found in the
    compiled parameters by a stand-in it was compiled with; a query where that fails (a value
    used twice, or not at all) is simply run through the ORM each time.
    """
    if any(isinstance(v, list) and not v for v in values.values()):
        return list(build(**values))  # `__in` an empty list: Django answers without SQL
    shape = (connection.alias, connection.vendor, key,
             tuple((name, len(v) if isinstance(v, list) else None) for name, v in sorted(values.items())))  # fmt: skip
    with _lock:
        found = _compiled.get(shape, False)
    if found is False:
        found = _compile(build, values)
        with _lock:
            if len(_compiled) >= _MAX_SHAPES:
                _compiled.clear()
            _compiled[shape] = found
    if found is None:
        return list(build(**values))
    sql, params, positions, converters = found
    params = list(params)
    for name, places in positions.items():
        given = values[name] if isinstance(values[name], list) else [values[name]]
        for place, value in zip(places, given, strict=True):
            params[place] = value
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for place, (functions, expression) in converters.items():
            value = row[place]
            for function in functions:
                value = function(value, expression, connection)
            row[place] = value
        converted.append(tuple(row))
    return converted


def _compile(build, values: dict) -> tuple[str, list, dict[str, list[int]], dict] | None:
    stand_ins: dict[str, int | str | list[int]] = {}
    serial = 0
    for name, value in values.items():
        count = len(value) if isinstance(value, list) else 1
        if isinstance(value, str):  # never sent to the database: only looked for in the parameters
            made = [f"\x00stand-in {serial}"]
        else:
            made = [_SENTINEL_BASE - serial - i for i in range(count)]
        serial += count
        stand_ins[name] = made if isinstance(value, list) else made[0]
    compiler = build(**stand_ins).query.get_compiler(connection.alias)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    params = list(params)
    positions: dict[str, list[int]] = {}
    for name, made in stand_ins.items():
        places = []
        for stand_in in made if isinstance(made, list) else [made]:
            if params.count(stand_in) != 1:
                return None
            places.append(params.index(stand_in))
        positions[name] = places
    converters = compiler.get_converters([column for column, _, _ in compiler.select[: compiler.col_count]])
    return sql, params, positions, converters


def forget() -> None:
    """Forget every compiled query (tests)."""
    with _lock:
        _compiled.clear()
