from django import forms

from refdesk.pool.fields import AccountField, ContactField
from refdesk.referrals.choices import FeeKind, LeadSource, LeadStage, PlanStatus


class LeadForm(forms.Form):
    company = forms.CharField(max_length=200)
    contact_name = forms.CharField(required=False, max_length=200)
    contact_email = forms.CharField(required=False, max_length=254)
    source = forms.ChoiceField(choices=LeadSource.choices)
    referrer_contact_id = ContactField(required=False, label="Referring customer contact")
    referrer_user_email = forms.CharField(required=False, label="Referring employee's email")
    referrer_name = forms.CharField(required=False, max_length=200, label="Partner or event name")
    surfaced_by_email = forms.CharField(required=False, label="Employee who surfaced it (email)")
    expected_value = forms.CharField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(choices=LeadStage.choices, label="Move to")
    amount = forms.CharField(required=False, label="Won amount")
    lost_reason = forms.CharField(required=False, max_length=300)


class TargetForm(forms.Form):
    label = forms.CharField(max_length=100, help_text="e.g. Q3 2026")
    starts_on = forms.CharField(label="Starts on", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.CharField(label="Ends on", widget=forms.DateInput(attrs={"type": "date"}))
    lead_count = forms.CharField(label="Leads wanted")
    value = forms.CharField(label="Won value wanted")


class PlanForm(forms.Form):
    contact_id = ContactField(required=False, label="Customer contact to ask")
    partner_name = forms.CharField(required=False, max_length=200, label="Or a partner's name")
    owner_email = forms.CharField(
        required=False, max_length=254, label="Who asks (email; blank: you)"
    )
    due_on = forms.CharField(label="Ask by", widget=forms.DateInput(attrs={"type": "date"}))
    review_on = forms.CharField(
        required=False, label="Review on", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(required=False, max_length=500)


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanStatus.choices)
    note = forms.CharField(required=False, max_length=500)


class FeeRuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    source = forms.ChoiceField(choices=[("", "Any source"), *LeadSource.choices], required=False)
    kind = forms.ChoiceField(choices=FeeKind.choices, label="Fee")
    percent = forms.CharField(required=False, label="Percent of the sale")
    flat_amount = forms.CharField(required=False, label="Flat amount")
    employee_share_percent = forms.CharField(
        required=False, label="Employee's share (percent of the fee)"
    )


class FeePayForm(forms.Form):
    paid_on = forms.CharField(
        required=False, label="Paid on", widget=forms.DateInput(attrs={"type": "date"})
    )


class SourceCostForm(forms.Form):
    channel = forms.CharField(max_length=100, help_text="e.g. Paid search, Trade shows")
    cost_per_lead = forms.CharField(label="Cost per lead")
    note = forms.CharField(required=False, max_length=300)


class PassForm(forms.Form):
    account_id = AccountField(label="Customer account")
    company = forms.CharField(max_length=200, label="Prospect we introduced them to")
    contact_name = forms.CharField(required=False, max_length=200)
    passed_on = forms.CharField(
        required=False, label="Passed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(required=False, max_length=500)
