"""Industry look-ups for the API: free text -> NAICS codes, and one NAICS code."""

from typing import Annotated

from ninja import Field, Router, Schema

from refdesk.core.errors import NotFound
from refdesk.core.schemas import ERRORS
from refdesk.pool import naics
from refdesk.pool.industry import industry_resolve

router = Router(tags=["industries"])


class IndustryMatchOut(Schema):
    code: str = Field(
        description="NAICS 2022 code (2 to 6 digits, or a sector range such as 31-33)"
    )
    title: str
    score: float = Field(ge=0, le=1, description="How well the code fits the text, 0..1")


class NaicsIndustryOut(Schema):
    code: str
    title: str
    parent: str | None = Field(description="The code one level up; null for a sector")
    level: int = Field(
        description="2 sector, 3 subsector, 4 industry group, 5 NAICS industry, 6 national industry"
    )


@router.get(
    "/industries",
    response={200: list[IndustryMatchOut], **ERRORS},
    summary="NAICS codes that fit free text",
    description='Everyday words ("cattle ranch", "regional bank", "3PL") -> NAICS 2022 codes, best first. '
    "A NAICS code passes through; text nothing fits gives an empty list.",
)
def list_industries(
    request,
    q: Annotated[
        str, Field(max_length=200, description="The industry in words, or a NAICS code")
    ] = "",
    industry: Annotated[
        str, Field(max_length=200, description="Same as q (the form field's name)")
    ] = "",
    limit: Annotated[int, Field(ge=1, le=50)] = 5,
):
    matches = industry_resolve(q or industry, limit=limit)
    return [{"code": m.code, "title": m.title, "score": m.score} for m in matches]


@router.get("/industries/{code}", response={200: NaicsIndustryOut, **ERRORS}, summary="One NAICS code")
def get_industry(request, code: str):
    code = code.strip()
    if not naics.is_code(code):
        raise NotFound(f"No NAICS 2022 code {code}.")
    return {
        "code": code,
        "title": naics.title(code),
        "parent": naics.parent_of(code),
        "level": naics.level_of(code),
    }
