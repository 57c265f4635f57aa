"""Forms of the matching pages: the request and the program's weights."""

from django import forms

from refdesk.matching import scoring
from refdesk.matching.services import RANGES
from refdesk.pool.choices import ActivityType


def _split(value: str) -> list[str]:
    return [item.strip() for item in (value or "").replace(",", ";").split(";") if item.strip()]


class MatchForm(forms.Form):
    """Find a reference: free-text industry and whatever else the requester knows."""

    industry = forms.CharField(
        max_length=200,
        required=False,
        help_text="A NAICS code or everyday words: 'cattle ranch', 'credit union'",
    )
    products = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    country = forms.CharField(max_length=60, required=False, help_text="ISO code or name")
    employees = forms.IntegerField(min_value=1, max_value=10_000_000, required=False)
    activity_type = forms.ChoiceField(
        choices=ActivityType.choices, initial=ActivityType.REFERENCE_CALL, required=False
    )
    language = forms.CharField(
        max_length=60, required=False, help_text="e.g. en, de; separate several with ;"
    )
    competitor = forms.CharField(max_length=200, required=False, label="Competitor in the deal")
    prospect = forms.CharField(max_length=200, required=False, label="Prospect company")
    prospect_competitors = forms.CharField(
        max_length=1000,
        required=False,
        label="Prospect's competitors",
        help_text="Never proposed; separate with ;",
    )
    topics = forms.CharField(max_length=1000, required=False, label="Topics and use cases")
    limit = forms.IntegerField(min_value=1, max_value=100, initial=10, required=False)

    def __init__(self, *args, products: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(p, p) for p in products]

    def query_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "industry": d["industry"], "products": list(d["products"]), "country": d["country"],
            "employees": d["employees"], "activity_type": d["activity_type"] or ActivityType.REFERENCE_CALL,
            "languages": _split(d["language"]), "competitor": d["competitor"], "prospect": d["prospect"],
            "prospect_competitors": _split(d["prospect_competitors"]), "topics": d["topics"], "limit": d["limit"] or 10,
        }  # fmt: skip


class MatchingSettingsForm(forms.Form):
    """The program manager's weights (0–100 each) and rules."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in scoring.CRITERIA:
            self.fields[f"weight_{criterion}"] = forms.IntegerField(
                min_value=0, max_value=100, label=f"Weight: {criterion.replace('_', ' ')}"
            )
        labels = {
            "nps_threshold": "Lowest NPS proposed", "short_cap": "Cap in the short window",
            "short_window_days": "Short window (days)", "long_cap": "Cap in the long window",
            "long_window_days": "Long window (days)", "cooldown_days": "Cool-down after an activity (days)",
        }  # fmt: skip
        for name, (low, high) in RANGES.items():
            self.fields[name] = forms.IntegerField(
                min_value=low, max_value=high, label=labels[name]
            )

    @classmethod
    def initial_for(cls, settings) -> dict:
        names = [f"weight_{c}" for c in scoring.CRITERIA] + list(RANGES)
        return {name: getattr(settings, name) for name in names}

    def service_fields(self) -> dict:
        d = dict(self.cleaned_data)
        weights = {c: d.pop(f"weight_{c}") for c in scoring.CRITERIA}
        return {"weights": weights, **d}
