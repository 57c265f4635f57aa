"""Page forms for CRM opportunities. They only parse; `services.opportunity_clean` owns every rule."""

import os
from pathlib import Path

from django import forms

from refdesk.insights.choices import OpportunityStage

ALLOWED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
MAX_UPLOAD_BYTES = (
    10 * 1024 * 1024
)  # ~50,000 opportunities as CSV; bigger exports go through `refdesk insights-import`


class OpportunityFilterForm(forms.Form):
    stage = forms.ChoiceField(
        choices=[("", "Any stage")] + OpportunityStage.choices, required=False
    )


class OpportunityImportForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text="CSV or XLSX with a header row: crm_id, prospect and created_on are required; "
        "name, owner_email, amount, stage, closed_on and request_ids are optional.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = os.path.basename(upload.name or "upload")
        if Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                f"{name} is not a spreadsheet we read: choose a .csv or .xlsx file."
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"{name} is {upload.size / 1024 / 1024:.1f} MB; the limit here is "
                f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB (import bigger files with `refdesk insights-import`)."
            )
        return upload


class OpportunityForm(forms.Form):
    crm_id = forms.CharField(
        label="CRM id",
        max_length=100,
        help_text="The opportunity's id in the CRM; an id that exists already updates that opportunity.",
    )
    name = forms.CharField(label="Opportunity name", max_length=200, required=False)
    prospect = forms.CharField(label="Prospect company", max_length=200)
    owner_email = forms.CharField(
        label="Owner's email",
        max_length=254,
        required=False,
        help_text="The salesperson who owns the deal; an email we do not know adds a sales rep who cannot log in yet.",
    )
    amount = forms.CharField(
        max_length=30,
        required=False,
        help_text="A number without a currency sign, e.g. 125000 or 125,000.50.",
    )
    stage = forms.ChoiceField(choices=OpportunityStage.choices, initial=OpportunityStage.OPEN)
    created_on = forms.CharField(
        label="Created on", max_length=20, widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_on = forms.CharField(
        label="Closed on",
        max_length=20,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Required for a won or lost opportunity; blank while it is open.",
    )

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
