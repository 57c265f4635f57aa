"""Words the portal shows for stored codes, marked for translation (the pool's labels are English only)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ACTIVITY_TYPES = {
    "reference_call": _("Reference call"),
    "case_study": _("Case study"),
    "speaking": _("Speaking engagement"),
    "media": _("Media call"),
    "webinar": _("Webinar"),
    "site_visit": _("Site visit"),
    "quote": _("Quote"),
    "logo": _("Logo use"),
    "referral": _("Referral"),
}
TESTIMONIAL_CHANNELS = {
    "web": _("Website"),
    "sales_deck": _("Sales deck"),
    "press": _("Press"),
    "social": _("Social media"),
}
CHANNELS = {
    "email": pgettext_lazy("contact channel", "Email"),
    "phone": pgettext_lazy("contact channel", "Phone"),
}
STATUSES = {
    "invited": _("Waiting for your answer"),
    "accepted": _("Accepted"),
    "reference_declined": _("Declined"),
    "scheduled": _("Call booked"),
    "completed": _("Completed"),
    "missed": _("Did not take place"),
    "cancelled": _("Cancelled"),
    "owner_declined": _("Not needed"),
    "requested": _("Requested"),
    "approved": _("Approved"),
    "fulfilled": _("Sent"),
    "refused": _("Refused"),
    "open": _("Waiting for the programme team"),
    "done": _("Carried out"),
}


def with_labels(choices, labels: dict):
    """Form choices with the translated label where there is one."""
    return [(value, labels.get(value, label)) for value, label in choices]
