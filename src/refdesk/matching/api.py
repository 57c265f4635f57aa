"""The matching API router: thin doors onto matching selectors and services."""

from ninja import Router

from refdesk.core.schemas import ERRORS
from refdesk.matching import selectors, services
from refdesk.matching.schemas import MatchIn, MatchingSettingsIn, MatchingSettingsOut, MatchOut

router = Router(tags=["matching"])


@router.post(
    "/match", response={200: MatchOut, **ERRORS}, summary="Rank references for a request, explained"
)
def match(request, payload: MatchIn):
    query = selectors.MatchQuery(**payload.model_dump())
    return selectors.match_find(user=request.user, query=query, via="api")


@router.get(
    "/matching/settings",
    response={200: MatchingSettingsOut, **ERRORS},
    summary="Matching weights and rules",
)
def get_settings(request):
    return selectors.matching_settings_out(selectors.matching_settings_get())


@router.put(
    "/matching/settings",
    response={200: MatchingSettingsOut, **ERRORS},
    summary="Change matching weights and rules",
)
def put_settings(request, payload: MatchingSettingsIn):
    data = payload.model_dump(exclude_none=True)
    weights = data.pop("weights", None)
    settings = services.matching_settings_update(actor=request.user, weights=weights, **data)
    return selectors.matching_settings_out(settings)
