"""Hot queries compiled once per shape: the same rows as the ORM, for any values bound."""

import datetime as dt

import pytest
from django.utils import timezone

from refdesk.core import compiled
from refdesk.core.compiled import compiled_rows
from refdesk.pool.models import ReferenceProfile
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_compiled():
    compiled.forget()
    yield
    compiled.forget()


def test_the_rows_are_the_orms_for_every_value_and_django_compiles_each_shape_once():
    references = [ReferenceFactory(status=status) for status in ["active", "paused", "active", "retired"]]
    ids = [r.pk for r in references]
    built = []

    def build(ids, floor):
        built.append(len(ids))
        # `floor`, an int compared with a column, is bound as a scalar.
        return ReferenceProfile.objects.filter(pk__in=ids, pk__gte=floor).order_by().values_list("pk", "status")

    for chosen, floor in [(ids[:2], 0), (ids[2:], 0), (ids[1:3], ids[2]), (ids[:2], ids[1])]:
        rows = compiled_rows(("test",), build, ids=chosen, floor=floor)
        expected = list(ReferenceProfile.objects.filter(pk__in=chosen, pk__gte=floor).values_list("pk", "status"))
        assert sorted(rows) == sorted(expected) and rows
    assert built == [2]  # four calls, one shape (two ids and a number): compiled once

    assert sorted(compiled_rows(("test",), build, ids=ids[:3], floor=0)) == sorted(
        (r.pk, r.status) for r in references[:3]
    )
    assert built == [2, 4]  # three ids: another shape, padded to four (the last id again)
    assert sorted(compiled_rows(("test",), build, ids=ids, floor=0)) == sorted((r.pk, r.status) for r in references)
    assert built == [2, 4]  # four ids: the same shape


def test_an_empty_list_and_a_value_used_twice_go_through_the_orm():
    reference = ReferenceFactory()
    assert compiled_rows(("empty",), lambda ids: ReferenceProfile.objects.filter(pk__in=ids).values_list("pk"), ids=[]) == []

    def twice(pk):  # the value appears twice in the SQL: no single place to bind it
        return ReferenceProfile.objects.filter(pk=pk, contact__reference__pk=pk).values_list("pk")

    assert compiled_rows(("twice",), twice, pk=reference.pk) == [(reference.pk,)]
    assert compiled_rows(("twice",), twice, pk=reference.pk + 1000) == []
    assert list(compiled._compiled.values()) == [None]  # remembered as "run it through the ORM"


def test_a_text_value_is_bound_too_and_the_rows_carry_djangos_types():
    references = [ReferenceFactory(status=status) for status in ["active", "paused", "active"]]
    ReferenceProfile.objects.filter(pk=references[0].pk).update(status_changed_at=timezone.now())

    def build(status):
        return ReferenceProfile.objects.filter(status=status).order_by().values_list("pk", "status_changed_at")

    for status in ["active", "paused", "retired"]:
        rows = compiled_rows(("text",), build, status=status)
        assert sorted(rows) == sorted(ReferenceProfile.objects.filter(status=status).values_list("pk", "status_changed_at"))
    assert len(compiled._compiled) == 1
    changed_at = dict(compiled_rows(("text",), build, status="active"))[references[0].pk]
    assert isinstance(changed_at, dt.datetime) and changed_at.tzinfo is not None  # also on SQLite
    assert sorted(pk for pk, _ in compiled_rows(("text",), build, status="active")) == sorted(
        r.pk for r in references if r.status == "active"
    )

    def contains(q):  # the value is wrapped in wildcards: not found as given, so run through the ORM
        return ReferenceProfile.objects.filter(status__contains=q).values_list("pk")

    assert len(compiled_rows(("contains",), contains, q="ctiv")) == 2
    assert compiled._compiled[next(k for k in compiled._compiled if "contains" in k[2])] is None


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_model_instances_with_their_related_rows_are_the_orms():
    from refdesk.core.compiled import compiled_objects
    from tests.factories import UserFactory

    references = [ReferenceFactory() for _ in range(4)]
    ids = [r.pk for r in references]
    account = references[0].contact.account
    account.owner = UserFactory()
    account.save()
    built = []

    def build(ids):
        built.append(len(ids))
        return ReferenceProfile.objects.select_related("contact__account__owner").filter(pk__in=ids).order_by("pk")

    for chosen in (ids[:2], ids[2:], [ids[3], ids[0]], ids[:1]):
        found = compiled_objects(("objects",), build, ids=chosen)
        expected = list(build(chosen))
        assert [r.pk for r in found] == [r.pk for r in expected] == sorted(chosen)
        for got, want in zip(found, expected, strict=True):
            assert _fields(got) == _fields(want) and not got._state.adding
            for path in ("contact", "contact.account", "contact.account.owner"):
                got_related, want_related = got, want
                for step in path.split("."):
                    assert type(got_related)._meta.get_field(step).is_cached(got_related)  # no query to follow it
                    got_related, want_related = getattr(got_related, step), getattr(want_related, step)
                assert (got_related is None and want_related is None) or _fields(got_related) == _fields(want_related)
    assert built == [2, 2, 2, 2, 1, 1]  # compiled once per shape; the others are the ORM's own answers

    assert compiled_objects(("objects",), build, ids=[]) == []
