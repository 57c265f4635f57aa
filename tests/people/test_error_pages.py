"""Refused and missing pages are Refdesk pages that say why, and the menu offers only what a role may open."""


def test_a_refused_page_says_why_inside_the_layout(client_for, owner_rep):
    response = client_for(owner_rep).get("/insights/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "You can't open this page" in html and 'class="topbar"' in html


def test_a_missing_page_is_a_refdesk_page(client_for, program_manager):
    response = client_for(program_manager).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Nothing here" in html and "Resolver404" not in html


def test_a_missing_record_names_what_was_not_found(client_for, program_manager):
    response = client_for(program_manager).get("/insights/opportunities/edit/?crm_id=NOPE-1")
    assert response.status_code == 404
    assert "NOPE-1" in response.content.decode()


def test_salespeople_are_not_offered_insights_in_the_menu(client_for, owner_rep):
    html = client_for(owner_rep).get("/pool/").content.decode()
    assert 'href="/insights/"' not in html and 'href="/insights/opportunities/"' not in html


def test_executives_are_offered_insights_and_opportunities(client_for, executive):
    html = client_for(executive).get("/pool/").content.decode()
    assert 'href="/insights/"' in html and 'href="/insights/opportunities/"' in html


def test_opening_a_button_address_directly_is_a_refdesk_page(client_for, program_manager):
    """A POST-only page address opened with GET answers 405 inside the layout, keeping Allow; the API's 405 is left alone."""
    from django.urls import reverse

    response = client_for(program_manager).get(reverse("people:logout"))
    assert response.status_code == 405 and response["Allow"] == "POST"
    html = response.content.decode()
    assert "This address belongs to a button" in html and 'class="topbar"' in html
    api = client_for(program_manager).delete("/api/match")
    assert api.status_code == 405 and "belongs to a button" not in api.content.decode()
