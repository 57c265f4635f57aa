"""Portal API: thin doors onto portal services and selectors."""

from ninja import Router

router = Router(tags=["portal"])
