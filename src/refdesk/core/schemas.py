"""Schema pieces every router uses: the error body, pagination."""

from collections.abc import Callable
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict


class OutSchema(BaseModel):
    """A response shape filled from the plain dicts our presenters build.

    Plain pydantic validates those natively; ninja's `Schema` wraps every nested object in a getter
    for ORM access first, which cost 10 ms on a 50-reference page. Use `Schema` where a response
    is built from model instances.
    """

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(Schema):
    message: str
    details: Any = None


Limit = Annotated[int, Field(ge=1, le=500, strict=False)]
Offset = Annotated[int, Field(ge=0, le=10_000_000)]

# Responses every authenticated operation may give, declared so the OpenAPI tells the truth.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def page(queryset, *, limit: int, offset: int, count: Callable[[], int] | None = None) -> dict:
    """A slice of a queryset and the total count (by `count()` if given), as list endpoints return it."""
    return {
        "count": count() if count is not None else queryset.count(),
        "limit": limit,
        "offset": offset,
        "items": list(queryset[offset : offset + limit]),
    }
