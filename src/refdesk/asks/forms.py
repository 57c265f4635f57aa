"""Page forms for requests. They only parse; the services own every rule."""

from django import forms
from django.urls import reverse_lazy

from refdesk.asks.choices import AutoApprove, Fulfilment, RequestStatus, SlaState, Stage
from refdesk.core import geo
from refdesk.pool.choices import ActivityType


def _country_choices():
    return [("", "—")] + sorted(((c, n) for c, n in geo.countries().items()), key=lambda x: x[1])


class RequestForm(forms.Form):
    prospect = forms.CharField(label="Prospect company", max_length=200, required=False)
    opportunity = forms.CharField(
        label="CRM opportunity", max_length=100, required=False,
        help_text="Optional: the deal's CRM id, so the program can count what references win.",
        widget=forms.TextInput(attrs={"list": "opportunity-choices", "autocomplete": "off"}),
    )  # fmt: skip
    industry = forms.CharField(
        label="Prospect's industry",
        max_length=200,
        required=False,
        help_text="A NAICS code, or words such as “cattle ranch” or “regional bank”.",
        widget=forms.TextInput(
            attrs={
                "hx-get": reverse_lazy("pool:industry-suggest"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#industry-suggestions",
                "autocomplete": "off",
            }
        ),
    )
    activity_type = forms.ChoiceField(label="What do you need?", choices=ActivityType.choices, initial=ActivityType.REFERENCE_CALL)
    references_needed = forms.CharField(label="How many references", max_length=3, initial="1", widget=forms.NumberInput(attrs={"min": 1, "max": 5}))
    needed_by = forms.CharField(label="Needed by", max_length=20, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    country = forms.ChoiceField(label="Prospect's country", choices=_country_choices, required=False)
    employees = forms.CharField(label="Prospect's employees", max_length=20, required=False)
    products = forms.CharField(max_length=2000, required=False, help_text="Products the prospect is evaluating; separate with ;")
    competitor = forms.CharField(label="Competitor in the deal", max_length=200, required=False)
    amount = forms.CharField(label="Opportunity amount", max_length=30, required=False)
    stage = forms.ChoiceField(choices=[("", "—")] + Stage.choices, required=False)
    expected_close = forms.CharField(label="Expected close date", max_length=20, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    topics = forms.CharField(label="Topics the prospect cares about", max_length=1000, required=False)
    notes = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    requester_time_zone = forms.CharField(label="Your time zone", max_length=64, initial="UTC", help_text="e.g. America/Chicago")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["products"] = data.get("products") or ""
        data["opportunity_crm_id"] = data.pop("opportunity", "") or ""
        return data


class FeedbackForm(forms.Form):
    rating = forms.ChoiceField(choices=[(str(n), f"{n}") for n in range(5, 0, -1)], label="Rating (5 best)")
    helped = forms.ChoiceField(choices=[("", "—"), ("yes", "Yes"), ("no", "No")], required=False, label="Did it help the deal?")
    could_speak_to_subject = forms.ChoiceField(
        choices=[("", "—"), ("yes", "Yes"), ("no", "No")], required=False, label="Could they speak to what the prospect asked?"
    )
    comment = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def yes_no(value: str):
    return {"yes": True, "no": False}.get(value or "")


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), ("open", "Open")] + RequestStatus.choices, required=False)
    activity_type = forms.ChoiceField(label="Activity", choices=[("", "Any activity")] + ActivityType.choices, required=False)
    requester_id = forms.ChoiceField(label="Requester", required=False)
    sla = forms.ChoiceField(label="SLA", choices=[("", "Any")] + [c for c in SlaState.choices if c[0] != "done"], required=False)
    q = forms.CharField(label="Prospect", max_length=200, required=False)

    def __init__(self, *args, requesters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_id"].choices = [("", "Anyone")] + [(str(u.pk), u.display_name) for u in requesters]


class WorkflowForm(forms.Form):
    activity_type = forms.ChoiceField(label="Applies to", choices=[("", "Every request (program default)")] + ActivityType.choices, required=False)
    fulfilment = forms.ChoiceField(choices=Fulfilment.choices)
    owner_approval = forms.BooleanField(label="The account owner approves each use of their customer", required=False)
    feedback_required = forms.BooleanField(label="Feedback from the requester is required before closing", required=False)


class SlaForm(forms.Form):
    candidates_within_hours = forms.IntegerField(label="Candidates proposed within (hours, 0 = at once)", min_value=0, max_value=720)
    approval_within_hours = forms.IntegerField(label="Owner approves within (hours)", min_value=1, max_value=720)
    acceptance_within_hours = forms.IntegerField(label="A reference accepted within (hours of submission)", min_value=1, max_value=720)
    due_soon_hours = forms.IntegerField(label="'Due soon' from (hours before)", min_value=1, max_value=720)


class OwnerPolicyForm(forms.Form):
    mode = forms.ChoiceField(label="Approve requests for my customers automatically", choices=AutoApprove.choices, widget=forms.RadioSelect)
    activity_types = forms.MultipleChoiceField(
        label="Activity types to approve automatically", choices=ActivityType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
