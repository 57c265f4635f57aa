"""Every list split into pages of 50 offers the way to the next page."""

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "refdesk"
PAGED = re.compile(r"{%\s*for \w+ in page(\.object_list)?\s*%}")


def test_every_template_that_lists_a_page_has_page_links():
    """A template iterating over `page` (core.views.paginate) shows the pager, or its own links."""
    missing = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.html")
        if PAGED.search(text := path.read_text())
        and "includes/pager.html" not in text
        and "page.has_next" not in text
    ]
    assert missing == []


@pytest.mark.django_db
def test_the_referral_leads_list_pages_through_every_lead(client_for, program_manager):
    from refdesk.referrals import services

    for n in range(51):
        services.lead_create(actor=program_manager, company=f"Company {n:02d}", source="web")
    client = client_for(program_manager)
    first = client.get("/referrals/leads/").content.decode()
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    second = client.get("/referrals/leads/?page=2").content.decode()
    assert "Page 2 of 2" in second and 'href="?page=1"' in second
    shown = set(re.findall(r"Company \d\d", first)) | set(re.findall(r"Company \d\d", second))
    assert len(shown) == 51
