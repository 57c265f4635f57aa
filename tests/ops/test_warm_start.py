"""What gunicorn's master prepares before it forks: every template compiled, every view imported,
and what it then holds (and a large matching index rebuilt in a worker) kept out of the garbage
collector's full collections (refdesk.core.memory)."""

import gc
from pathlib import Path

import pytest
from django.template import engines
from django.urls import get_resolver

from refdesk import gunicorn_conf
from refdesk.core import changes, memory
from refdesk.matching import engine as matching_engine


@pytest.fixture
def unfreeze_after():
    yield
    gc.unfreeze()


def test_the_master_compiles_every_template_and_imports_every_view():
    templates = {
        path for engine in engines.all() for directory in engine.template_dirs for path in Path(directory).rglob("*.html")
    }
    changes._code_version = None
    assert gunicorn_conf.warm_app() == len(templates) > 100
    assert get_resolver()._populated
    assert changes._code_version == changes.code_version()  # read before the fork, not in each worker


def test_freezing_hides_what_is_alive_now_from_the_collector(unfreeze_after):
    kept = [[i] for i in range(1000)]  # containers the collector tracks
    memory.freeze_long_lived()
    assert gc.get_freeze_count() >= len(kept)
    assert not any(o is kept for o in gc.get_objects())


@pytest.mark.django_db
def test_a_large_index_is_frozen_once_built_and_a_small_one_is_not(monkeypatch, unfreeze_after):
    from refdesk.matching import selectors
    from tests.factories import ReferenceFactory

    ReferenceFactory()
    matching_engine.engine.reset()
    selectors.match_find(user=None, query=selectors.MatchQuery(industry="bank"))
    assert gc.get_freeze_count() == 0  # one reference: not worth a collection
    monkeypatch.setattr(matching_engine, "FREEZE_FROM", 1)
    matching_engine.engine.reset()
    selectors.match_find(user=None, query=selectors.MatchQuery(industry="bank"))
    assert gc.get_freeze_count() > 0
    matching_engine.engine.reset()
