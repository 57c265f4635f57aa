from django import forms

from refdesk.referrals.choices import LeadSource, LeadStage


class LeadForm(forms.Form):
    company = forms.CharField(max_length=200)
    contact_name = forms.CharField(required=False, max_length=200)
    contact_email = forms.CharField(required=False, max_length=254)
    source = forms.ChoiceField(choices=LeadSource.choices)
    referrer_contact_id = forms.IntegerField(required=False, label="Referring customer contact (id)")
    referrer_user_email = forms.CharField(required=False, label="Referring employee's email")
    referrer_name = forms.CharField(required=False, max_length=200, label="Partner or event name")
    surfaced_by_email = forms.CharField(required=False, label="Employee who surfaced it (email)")
    expected_value = forms.CharField(required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(choices=LeadStage.choices, label="Move to")
    amount = forms.CharField(required=False, label="Won amount")
    lost_reason = forms.CharField(required=False, max_length=300)
