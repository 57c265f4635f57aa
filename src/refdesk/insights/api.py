"""Insights API: thin doors onto insights services and selectors."""

from ninja import Router

router = Router(tags=["insights"])
