"""The remembered URLs pages build their links from: the same as reverse(), under any URL prefix."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from refdesk.core.views import id_url, page_url


@pytest.fixture
def under_a_prefix():
    set_script_prefix("/refdesk/")
    yield
    set_script_prefix("/")


def test_page_and_id_urls_are_reverses():
    assert page_url("pool:reference-list") == reverse("pool:reference-list")
    assert id_url("pool:reference-detail").format(42) == reverse("pool:reference-detail", args=[42])
    with pytest.raises(NoReverseMatch):
        page_url("pool:no-such-page")


def test_they_follow_the_prefix_the_app_is_served_under(under_a_prefix):
    assert page_url("pool:reference-list") == reverse("pool:reference-list")
    assert page_url("pool:reference-list").startswith("/refdesk/")
    assert id_url("pool:reference-detail").format(42).startswith("/refdesk/")
