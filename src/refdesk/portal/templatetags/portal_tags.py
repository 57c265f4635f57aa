from django import template

from refdesk.portal import labels

register = template.Library()


@register.filter
def activity_label(value: str) -> str:
    return labels.ACTIVITY_TYPES.get(value, (value or "").replace("_", " "))


@register.filter
def channel_label(value: str) -> str:
    return labels.TESTIMONIAL_CHANNELS.get(
        value, labels.CHANNELS.get(value, (value or "").replace("_", " "))
    )


@register.filter
def portal_status(value: str) -> str:
    return labels.STATUSES.get(value, (value or "").replace("_", " "))
