"""A freshly written object handed its related rows, as `prefetch_related` would, without reading them back."""

from __future__ import annotations


def preload(instance, relation: str, rows) -> None:
    """Make `instance.<relation>.all()` give `rows` without a query, as `prefetch_related(relation)` does.

    For a service that has just written an object and every row of one of its reverse relations
    (a new request and the candidates proposed for it): what it answers is built from what it
    wrote instead of being read back. It fills the cache `prefetch_related` fills, the one the
    related manager reads; tests check that no query runs.
    """
    queryset = getattr(instance, relation).all()  # lazy: nothing runs here
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = queryset


def is_preloaded(instance, *relations: str) -> bool:
    """Whether each of these relations of `instance` is loaded (by `preload` or `prefetch_related`)."""
    loaded = instance.__dict__.get("_prefetched_objects_cache", {})
    return all(relation in loaded for relation in relations)
