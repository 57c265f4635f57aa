from django import template
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.items())) if params else "?"


@register.simple_tag
def page_url(name: str) -> str:
    """`{% url name %}` for a page without arguments, remembered (the navigation on every page)."""
    from refdesk.core.views import page_url as remembered

    return remembered(name)


@register.filter
def humanize_choice(value: str) -> str:
    return (value or "").replace("_", " ")


@register.filter
def shares_content(user) -> bool:
    """Whether the activities navigation offers Shares (activities.permissions.can_share)."""
    from refdesk.activities.permissions import can_share

    return can_share(user)


@register.filter
def reads_insights(user) -> bool:
    """Whether the navigation shows Insights and Opportunities to this user (insights.permissions)."""
    from refdesk.insights.permissions import can_read

    return can_read(user)
