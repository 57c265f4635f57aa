"""The API's JSON writer (orjson) says what ninja's standard-library writer said."""

import datetime as dt
import decimal
import json
import uuid

from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.renderers import JSONRenderer

from refdesk.api import OrjsonRenderer, api
from refdesk.asks.choices import CandidateStatus


class Nested(Schema):
    at: dt.datetime
    note: str


PAYLOAD = {
    "at": dt.datetime(2026, 12, 7, 9, 30, 0, 123456, tzinfo=dt.UTC),
    "naive": dt.datetime(2026, 12, 7, 9, 30),
    "local": dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    "day": dt.date(2026, 12, 7),
    "time": dt.time(9, 30, 15, 250000),
    "amount": decimal.Decimal("125000.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "label": gettext_lazy("Reference call"),
    "status": CandidateStatus.INVITED,
    "nested": Nested(at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), note="Zoë"),
    "scores": [12.5, 0.1, 3, None, True],
    "pair": (1, "two"),
    "by_year": {2026: 3},
    "text": "Café — “quoted” \\ \n",
}


def _render(renderer):
    return renderer.render(None, PAYLOAD, response_status=200)


def test_the_same_values_as_ninjas_own_writer():
    ours, theirs = _render(OrjsonRenderer()), _render(JSONRenderer())
    assert json.loads(ours) == json.loads(theirs)


def test_dates_and_times_are_written_as_django_writes_them():
    written = json.loads(_render(OrjsonRenderer()))
    assert written["at"] == "2026-12-07T09:30:00.123Z"
    assert written["naive"] == "2026-12-07T09:30:00"
    assert written["local"] == "2026-12-07T09:30:00-05:00"
    assert written["day"] == "2026-12-07"
    assert written["time"] == "09:30:15.250"
    assert written["amount"] == "125000.50"
    assert written["nested"] == {"at": "2026-01-02T03:04:05Z", "note": "Zoë"}


def test_the_api_writes_with_it():
    assert isinstance(api.renderer, OrjsonRenderer)
