"""Portal forms: they only parse strings; the services hold the rules."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from refdesk.pool.choices import ActivityType, ContactChannel, TestimonialChannel
from refdesk.portal import labels
from refdesk.portal.labels import with_labels

MAX_SLOTS = 3


class LinkRequestForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)


class PreferencesForm(forms.Form):
    activity_types = forms.MultipleChoiceField(
        label=_("What you are happy to do"), choices=with_labels(ActivityType.choices, labels.ACTIVITY_TYPES), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    monthly_limit = forms.IntegerField(
        label=_("At most this many requests in 30 days"), min_value=0, max_value=100, required=False,
        help_text=_("Leave empty for no limit of your own."),
    )  # fmt: skip
    preferred_channel = forms.ChoiceField(
        label=_("How to contact you"), choices=with_labels(ContactChannel.choices, labels.CHANNELS)
    )
    languages = forms.CharField(
        label=_("Languages you speak"), max_length=200, required=False,
        help_text=_("For example: en; de. The first one we have is used for this page."),
    )  # fmt: skip
    time_zone = forms.CharField(
        label=_("Your time zone"),
        max_length=64,
        required=False,
        help_text=_("For example: Europe/Berlin"),
    )
    testimonial_channels = forms.MultipleChoiceField(
        label=_("Where your testimonial may be used"), choices=with_labels(TestimonialChannel.choices, labels.TESTIMONIAL_CHANNELS), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    @classmethod
    def initial_for(cls, prefs: dict) -> dict:
        return {
            "activity_types": prefs["activity_types"],
            "monthly_limit": prefs["monthly_limit"],
            "preferred_channel": prefs["preferred_channel"],
            "languages": "; ".join(prefs["languages"]),
            "time_zone": prefs["time_zone"],
            "testimonial_channels": prefs["testimonial_channels"],
        }


class AwayForm(forms.Form):
    starts_on = forms.DateField(
        label=_("First day away"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Last day away"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)


class EraseForm(forms.Form):
    note = forms.CharField(
        label=_("Anything we should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("Yes, please erase my data"))


def parse_slots(
    post, zone: str, minutes_field: str = "duration_minutes"
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Times typed in the person's zone (datetime-local), each lasting the chosen length."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except Exception:  # noqa: BLE001 - an unknown zone name: read the times as UTC
        tz = ZoneInfo("UTC")
    minutes = post.get(minutes_field) or "30"
    minutes = int(minutes) if minutes.isdigit() and 5 <= int(minutes) <= 240 else 30
    slots = []
    for n in range(1, MAX_SLOTS + 1):
        raw = (post.get(f"slot{n}") or "").strip()
        if not raw:
            continue
        try:
            start = dt.datetime.fromisoformat(raw)
        except ValueError:
            from refdesk.core.errors import InvalidInput

            raise InvalidInput(
                _("Time %(n)s is not a date and time.") % {"n": n},
                details={f"slot{n}": "is not a date and time"},
            ) from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        slots.append((start, start + dt.timedelta(minutes=minutes)))
    return slots


def localize(moment: dt.datetime, zone: str) -> dt.datetime:
    """A time without a zone is read in the person's zone."""
    if moment.tzinfo is not None or not (2000 <= moment.year <= 2100):
        return moment
    try:
        return moment.replace(tzinfo=ZoneInfo(zone or "UTC"))
    except Exception:  # noqa: BLE001 - an unknown zone name: UTC
        return moment.replace(tzinfo=dt.UTC)
