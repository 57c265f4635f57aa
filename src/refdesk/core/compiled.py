"""Small hot queries compiled by Django once per shape, then run with new values bound."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Model, QuerySet


class _Compiled(NamedTuple):
    queryset: QuerySet  # built with the stand-ins
    compiler: object  # Django's SQLCompiler, after compiling: knows the columns and related models
    sql: str
    params: list
    positions: dict[str, list[int]]  # value name: where its stand-ins sit in `params`


_compiled: dict[tuple, _Compiled | None] = {}
_lock = threading.Lock()
_MAX_SHAPES = 1024
# Stand-ins bound while compiling, found again in the parameters: no real id or count is negative.
_SENTINEL_BASE = -(10**15)

Value = int | str | list[int]


def compiled_rows(key: tuple, build: Callable[..., QuerySet], **values: Value) -> list[tuple]:
    """`list(build(**values))` for a `values_list` queryset whose only varying parameters are
    `values` (ints or strings, or lists of ints for `__in`), with Django's SQL compiled once per
    `key` and number of items in each list (rounded up to a power of two, see `_padded`), and the
    values bound into that SQL afterwards.

    For a query run on every match or API call: Django spends several times longer building and
    compiling a five-table query than PostgreSQL spends running it. The rows hold what the ORM
    would give (Django's converters applied: datetimes, booleans on SQLite). `key` names the query
    and anything else its SQL depends on (a date it compares with). Each value is found in the
    compiled parameters by a stand-in it was compiled with; a query where that fails (a value
    used twice, or not at all) is simply run through the ORM each time.
    """
    values = _padded(values)
    found = _compiled_for(key, build, values)
    if found is None:
        return list(build(**values))
    return list(_compiler(found, values).results_iter(tuple_expected=True))


def compiled_objects(key: tuple, build: Callable[..., QuerySet], **values: Value) -> list[Model]:
    """`list(build(**values))` for a queryset of model instances (with `select_related`), compiled
    once per shape as `compiled_rows` does; the instances are built by Django's own iterable from
    the rows, as the ORM builds them. A seven-table `select_related` costs Django milliseconds to
    compile and PostgreSQL a fraction of one to run."""
    values = _padded(values)
    found = _compiled_for(key, build, values)
    if found is None:
        return list(build(**values))
    compiler = _compiler(found, values)
    queryset = found.queryset._chain()
    queryset.query.get_compiler = lambda *args, **kwargs: compiler
    return list(queryset)


def _compiler(found: _Compiled, values: dict):
    """A copy of the saved compiler on this thread's connection that answers the SQL with `values`
    bound: Django runs it and converts its rows as it would have after compiling afresh."""
    sql, params = found.sql, _bound(found, values)
    compiler = copy.copy(found.compiler)
    compiler.connection = connections[compiler.using]
    compiler.as_sql = lambda *args, **kwargs: (sql, params)
    return compiler


def _padded(values: dict) -> dict:
    """Each list of ids lengthened to the next power of two by repeating its last id: the same rows
    for `__in`, and a few shapes instead of one per length. PostgreSQL prepares a statement only
    after it has seen the same text several times, and a match picks a different number of
    references almost every time; unprepared, a five-table join is parsed and planned on every run."""
    padded = {}
    for name, value in values.items():
        if isinstance(value, list) and value:
            size = 1 << (len(value) - 1).bit_length()
            value = value + [value[-1]] * (size - len(value))
        padded[name] = value
    return padded


def _compiled_for(key: tuple, build, values: dict) -> _Compiled | None:
    if any(isinstance(v, list) and not v for v in values.values()):
        return None  # `__in` an empty list: Django answers without SQL
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
    return found


def _bound(found: _Compiled, values: dict) -> list:
    params = list(found.params)
    # psycopg sends a Python int as int2, int4 or int8 by its size and prepares one statement per
    # combination of types: a list of ids mixing 700 and 70,000 would be a new statement each time.
    if connection.vendor == "postgresql":
        from psycopg.types.numeric import Int8 as as_int
    else:
        as_int = int
    for name, places in found.positions.items():
        given = values[name] if isinstance(values[name], list) else [values[name]]
        for place, value in zip(places, given, strict=True):
            params[place] = as_int(value) if type(value) is int else value
    return params


def _compile(build, values: dict) -> _Compiled | None:
    stand_ins: dict[str, Value] = {}
    serial = 0
    for name, value in values.items():
        count = len(value) if isinstance(value, list) else 1
        if isinstance(value, str):  # never sent to the database: only looked for in the parameters
            made = [f"\x00stand-in {serial}"]
        else:
            made = [_SENTINEL_BASE - serial - i for i in range(count)]
        serial += count
        stand_ins[name] = made if isinstance(value, list) else made[0]
    queryset = build(**stand_ins)
    if queryset._prefetch_related_lookups:
        return None  # more queries than the one compiled here
    compiler = queryset.query.get_compiler(connection.alias)
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
    return _Compiled(queryset, compiler, sql, params, positions)


def forget() -> None:
    """Forget every compiled query (tests)."""
    with _lock:
        _compiled.clear()
