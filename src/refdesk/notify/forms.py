from django import forms

from refdesk.notify.choices import event_kinds


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="URL", max_length=500, help_text="http:// or https://; receives a signed JSON POST"
    )
    description = forms.CharField(max_length=200, required=False)
    event_kinds = forms.MultipleChoiceField(
        label="Events",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_kinds"].choices = [(k, k) for k in event_kinds()]
