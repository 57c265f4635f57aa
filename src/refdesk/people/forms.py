from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class AuditFilterForm(forms.Form):
    """Filters on the audit log page."""

    kind = forms.ChoiceField(required=False, choices=[("", "Any")])
    via = forms.ChoiceField(required=False, choices=[("", "Any")])
    actor = forms.CharField(required=False, max_length=254, label="Who (email contains)")
    contact_id = forms.IntegerField(required=False, min_value=1, max_value=2**62, label="Contact id")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        from refdesk.people.models import AuditKind, AuditVia

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any"), *AuditKind.choices]
        self.fields["via"].choices = [("", "Any"), *AuditVia.choices]
