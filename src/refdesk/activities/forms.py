"""Page forms. They only parse; the services own every rule."""

from django import forms

from refdesk.activities.choices import ActivitySource, ActivityStatus, ContentKind, EventFormat
from refdesk.pool.choices import ActivityType, TestimonialChannel

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


def _reference_choices():
    from refdesk.pool.models import ReferenceProfile

    rows = ReferenceProfile.objects.order_by("sort_name", "pk").values_list(
        "pk", "contact__name", "contact__account__name"
    )
    return [("", "—")] + [(str(pk), f"{name} — {account}") for pk, name, account in rows]


def _asset_choices():
    from django.db.models import Q
    from django.utils import timezone

    from refdesk.activities.models import ContentAsset

    today = timezone.now().date()
    rows = (
        ContentAsset.objects.filter(retired_at__isnull=True, approved_on__isnull=False)
        .exclude(kind=ContentKind.LOGO)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .order_by("title")
        .values_list("pk", "title", "kind")
    )
    return [(str(pk), f"{title} ({ContentKind(kind).label})") for pk, title, kind in rows]


class ActivityFilterForm(forms.Form):
    q = forms.CharField(label="Reference or deal", required=False, max_length=200)
    activity_type = forms.ChoiceField(
        label="Type", choices=[("", "Any")] + ActivityType.choices, required=False
    )
    status = forms.ChoiceField(choices=[("", "Any")] + ActivityStatus.choices, required=False)
    source = forms.ChoiceField(choices=[("", "Any")] + ActivitySource.choices, required=False)
    since = forms.DateField(label="From", required=False, widget=DATE)
    until = forms.DateField(label="To", required=False, widget=DATE)


class ActivityForm(forms.Form):
    reference_id = forms.ChoiceField(label="Reference", choices=_reference_choices)
    activity_type = forms.ChoiceField(label="Activity", choices=ActivityType.choices)
    occurred_at = forms.CharField(label="Date", max_length=30, widget=DATE)
    status = forms.ChoiceField(choices=ActivityStatus.choices, initial=ActivityStatus.COMPLETED)
    request_id = forms.CharField(
        label="Request number",
        max_length=12,
        required=False,
        help_text="If it was for a reference request",
    )
    opportunity_text = forms.CharField(
        label="Opportunity",
        max_length=300,
        required=False,
        help_text="The prospect or deal, if any",
    )
    notes = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FatigueRuleForm(forms.Form):
    short_cap = forms.CharField(
        label="Short-window cap", max_length=4, required=False, help_text="Blank: no cap"
    )
    short_window_days = forms.CharField(label="Short window (days)", max_length=4)
    long_cap = forms.CharField(
        label="Long-window cap", max_length=4, required=False, help_text="Blank: no cap"
    )
    long_window_days = forms.CharField(label="Long window (days)", max_length=4)
    cooldown_days = forms.CharField(label="Cool-down (days)", max_length=4)


class ReferenceFatigueForm(forms.Form):
    monthly_limit = forms.CharField(label="Their own limit per month", max_length=4, required=False,
                                    help_text="What the reference said they can give; always wins")  # fmt: skip
    short_cap = forms.CharField(label="Override: short-window cap", max_length=4, required=False)
    long_cap = forms.CharField(label="Override: long-window cap", max_length=4, required=False)
    cooldown_days = forms.CharField(
        label="Override: cool-down (days)", max_length=4, required=False
    )
    note = forms.CharField(max_length=300, required=False)


class ContentFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    kind = forms.ChoiceField(choices=[("", "Any")] + ContentKind.choices, required=False)
    channel = forms.ChoiceField(choices=[("", "Any")] + TestimonialChannel.choices, required=False)
    industry = forms.CharField(required=False, max_length=200)
    expiring = forms.BooleanField(label="Expiring soon", required=False)


class ContentForm(forms.Form):
    kind = forms.ChoiceField(choices=ContentKind.choices)
    title = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        label="Text", max_length=20_000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    url = forms.CharField(label="Link", max_length=500, required=False)
    file = forms.FileField(required=False, help_text="A recording, PDF or image")
    channels = forms.MultipleChoiceField(
        choices=TestimonialChannel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.CharField(label="Expires on", max_length=20, required=False, widget=DATE)
    approved_by = forms.CharField(
        label="Approved by (at the customer)", max_length=200, required=False
    )
    approved_on = forms.CharField(label="Approved on", max_length=20, required=False, widget=DATE)
    approval_note = forms.CharField(
        label="Approval record",
        max_length=500,
        required=False,
        help_text="Where the approval is kept",
    )
    contact_id = forms.ChoiceField(label="Reference", choices=_reference_choices, required=False,
                                   help_text="The reference it is about (ties it to their account)")  # fmt: skip
    industry = forms.CharField(
        max_length=200, required=False, help_text="A NAICS code or words; blank: the account's"
    )
    products = forms.CharField(max_length=2000, required=False, help_text="Separate with ;")
    topics = forms.CharField(max_length=2000, required=False, help_text="Separate with ;")


class ContentUseForm(forms.Form):
    channel = forms.ChoiceField(choices=[("", "—")] + TestimonialChannel.choices, required=False)
    note = forms.CharField(max_length=300, required=False)


class ShareForm(forms.Form):
    prospect = forms.CharField(label="Prospect company", max_length=200, required=False)
    recipient_email = forms.CharField(label="Prospect's email", max_length=254, required=False)
    asset_ids = forms.MultipleChoiceField(
        label="Assets", choices=_asset_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    request_id = forms.CharField(label="Request number", max_length=12, required=False)
    expires_in_days = forms.CharField(label="Link works for (days)", max_length=4, initial="30")


class EventForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    format = forms.ChoiceField(choices=EventFormat.choices, initial=EventFormat.WEBINAR)
    starts_at = forms.CharField(label="Starts (UTC)", max_length=30, widget=DATETIME)
    ends_at = forms.CharField(label="Ends (UTC)", max_length=30, required=False, widget=DATETIME)
    reference_ids = forms.MultipleChoiceField(label="Speakers", choices=_reference_choices, required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 6}))  # fmt: skip
    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    industry = forms.CharField(max_length=200, required=False)
    products = forms.CharField(max_length=2000, required=False, help_text="Separate with ;")
    topics = forms.CharField(max_length=2000, required=False, help_text="Separate with ;")
    join_url = forms.CharField(label="Join link", max_length=500, required=False)


class InviteForm(forms.Form):
    prospect = forms.CharField(max_length=200, required=False)
    request_id = forms.CharField(label="Request number", max_length=12, required=False)
    opportunity_text = forms.CharField(label="Opportunity", max_length=300, required=False)
    email = forms.CharField(max_length=254, required=False)


class RecordingForm(forms.Form):
    url = forms.CharField(label="Link to the recording", max_length=500, required=False)
    file = forms.FileField(required=False)
