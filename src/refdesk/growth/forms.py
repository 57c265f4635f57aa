from django import forms

from refdesk.growth.choices import GiveBackKind, MilestoneKind, NominationKind
from refdesk.pool.fields import AccountField, ContactField


class NominationForm(forms.Form):
    contact_id = ContactField(
        label="Existing contact", required=False, help_text="Or name a new person below"
    )
    account_id = AccountField(label="Account, for a new person", required=False)
    name = forms.CharField(required=False, max_length=200)
    email = forms.CharField(required=False, max_length=254)
    title = forms.CharField(required=False, max_length=200)
    kind = forms.ChoiceField(choices=NominationKind.choices)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Why they would speak well for us"
    )


class ReviewForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("accept", "Accept"),
            ("decline", "Decline"),
            ("invite", "Invite"),
            ("activate", "Activate"),
        ]
    )
    reason = forms.CharField(required=False, max_length=500, label="Reason or override note")


class WishForm(forms.Form):
    account_id = AccountField(label="Account")
    note = forms.CharField(required=False, max_length=300)


class GiveBackForm(forms.Form):
    account_id = AccountField(label="Account")
    kind = forms.ChoiceField(choices=GiveBackKind.choices)
    occurred_on = forms.CharField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(required=False, max_length=500)
    value = forms.CharField(required=False, label="Value (optional)")


class MilestoneForm(forms.Form):
    account_id = AccountField(label="Account")
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    occurred_on = forms.CharField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=500)
    done = forms.BooleanField(
        required=False, initial=True, label="Done (untick for a follow-up still due)"
    )


class ImportForm(forms.Form):
    what = forms.ChoiceField(
        choices=[("surveys", "NPS/CSAT survey results"), ("wins", "Closed-won opportunities")]
    )
    file = forms.FileField(help_text="CSV or XLSX")
    dry_run = forms.BooleanField(required=False, label="Check only, write nothing")


class SettingsForm(forms.Form):
    min_live_days = forms.IntegerField(
        min_value=0, max_value=3650, label="Live at least (days) before asking"
    )
    min_nps = forms.IntegerField(min_value=0, max_value=10, label="Latest NPS at least")
    stale_after_days = forms.IntegerField(min_value=1, max_value=3650, label="Stale when not confirmed for (days)",
                                          help_text="182 days is about six months")  # fmt: skip
    sharing_rule = forms.BooleanField(
        required=False,
        label="Sharing rule: reps who keep their customers out of the pool may only request their own accounts",
    )
    sharing_min_percent = forms.IntegerField(
        min_value=0,
        max_value=100,
        label="Share of a rep's accounts with an active reference to count as sharing (%)",
    )
    giveback_gap = forms.IntegerField(
        min_value=1, max_value=1000, label="Flag a customer when asks exceed gives by"
    )


class EscalationForm(forms.Form):
    account_id = AccountField(label="Account")
    summary = forms.CharField(max_length=300)
    opened_on = forms.CharField(
        required=False, label="Opened on", widget=forms.DateInput(attrs={"type": "date"})
    )
