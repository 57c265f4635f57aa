"""Page forms for the pool. They only parse; the services own every rule."""

from functools import cache, lru_cache

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from refdesk.core import geo
from refdesk.pool.choices import ActivityType, GiftPolicy, ReferenceStatus, TestimonialChannel


@cache
def _countries_by_name() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(geo.countries().items(), key=lambda x: x[1]))


def _country_choices():
    return [("", "—"), *_countries_by_name()]


class AccountForm(forms.Form):
    # Required, but checked by the service with the other fields, so every problem shows at once.
    name = forms.CharField(max_length=200, required=False)
    external_id = forms.CharField(label="CRM id", max_length=100, required=False)
    industry = forms.CharField(
        max_length=200,
        required=False,
        help_text="A NAICS code, or words such as “cattle ranch” or “regional bank”.",
        widget=forms.TextInput(
            attrs={
                "hx-get": "/pool/industries/suggest/",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#industry-suggestions",
                "autocomplete": "off",
            }
        ),
    )
    country = forms.ChoiceField(choices=_country_choices, required=False)
    employees = forms.CharField(max_length=20, required=False)
    products = forms.CharField(max_length=2000, required=False, help_text="Separate with ;")
    live_since = forms.CharField(label="Go-live date", max_length=20, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    owner_email = forms.CharField(label="Account owner (email)", max_length=254, required=False)
    gift_policy = forms.ChoiceField(choices=GiftPolicy.choices)
    matching_blocked = forms.BooleanField(label="Owner has blocked this account from matching", required=False)
    blocked_reason = forms.CharField(max_length=300, required=False)

    @classmethod
    def initial_for(cls, account) -> dict:
        return {
            "name": account.name, "external_id": account.external_id,
            "industry": account.industry_text or (account.industry_id or ""),
            "country": account.country, "employees": account.employees or "",
            "products": "; ".join(p.name for p in account.products.all()),
            "live_since": account.live_since.isoformat() if account.live_since else "",
            "owner_email": account.owner.email if account.owner else "",
            "gift_policy": account.gift_policy, "matching_blocked": account.matching_blocked,
            "blocked_reason": account.blocked_reason,
        }


class ContactForm(forms.Form):
    # Required, but checked by the service with the other fields, so every problem shows at once.
    name = forms.CharField(max_length=200, required=False)
    email = forms.CharField(max_length=254, required=False, widget=forms.EmailInput)
    title = forms.CharField(max_length=200, required=False)
    phone = forms.CharField(max_length=50, required=False)
    languages = forms.CharField(max_length=200, required=False, help_text="Codes or names, separated with ; (en; de)")
    time_zone = forms.CharField(max_length=64, required=False, help_text="e.g. Europe/Berlin")
    external_id = forms.CharField(label="CRM id", max_length=100, required=False)

    @classmethod
    def initial_for(cls, contact) -> dict:
        return {
            "name": contact.name, "email": contact.email, "title": contact.title, "phone": contact.phone,
            "languages": "; ".join(contact.languages), "time_zone": contact.time_zone, "external_id": contact.external_id,
        }


class ReferenceForm(forms.Form):
    activity_types = forms.MultipleChoiceField(
        label="Agreed activities", choices=ActivityType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    topics = forms.CharField(label="Topics and use cases", max_length=3000, required=False, help_text="Separate with ;")
    competitors_displaced = forms.CharField(max_length=2000, required=False, help_text="Separate with ;")
    testimonial_channels = forms.MultipleChoiceField(
        label="Testimonial may be used on", choices=TestimonialChannel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    testimonial_expires = forms.CharField(max_length=20, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    nps = forms.CharField(label="NPS (0–10)", max_length=5, required=False)
    nps_date = forms.CharField(label="NPS date", max_length=20, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    csat = forms.CharField(label="CSAT (1–5)", max_length=5, required=False)
    csat_date = forms.CharField(label="CSAT date", max_length=20, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    opted_out = forms.BooleanField(label="Asked not to be contacted", required=False)
    notes = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4}))

    @classmethod
    def initial_for(cls, reference) -> dict:
        def d(value):
            return value.isoformat() if value else ""

        return {
            "activity_types": reference.activity_types, "topics": "; ".join(reference.topics),
            "competitors_displaced": "; ".join(reference.competitors_displaced),
            "testimonial_channels": reference.testimonial_channels, "testimonial_expires": d(reference.testimonial_expires),
            "nps": "" if reference.nps is None else reference.nps, "nps_date": d(reference.nps_date),
            "csat": "" if reference.csat is None else reference.csat, "csat_date": d(reference.csat_date),
            "opted_out": reference.opted_out, "notes": reference.notes,
        }


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(choices=ReferenceStatus.choices)
    reason = forms.CharField(max_length=500, required=False)


@cache
def _filter_choices() -> dict[str, tuple[tuple[str, str], ...]]:
    """The pool filters' fixed choice lists, computed once per process."""
    return {
        "country": (("", "Any country"), *_countries_by_name()),
        "status": (("", "Any status"), *ReferenceStatus.choices),
        "activity_type": (("", "Any activity"), *ActivityType.choices),
        "order": (("name", "Name"), ("account", "Account"), ("-nps", "Highest NPS"), ("-updated", "Recently updated")),
    }


@lru_cache(maxsize=64)
def _option_tags(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, ...], dict[str, int]]:
    tags = tuple(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in choices)
    return tags, {str(value): i for i, (value, _) in enumerate(choices)}


def options_html(choices: tuple[tuple[str, str], ...], selected: str) -> SafeString:
    """A select's <option> tags with `selected` on the current value, as Django's Select widget writes them.

    The tags are built once per process and choice list; rendering the pool filters' ~270 options
    through the widget templates on every request cost more than the rest of the page.
    """
    tags, index = _option_tags(choices)
    i = index.get(selected)
    if i is None:
        return mark_safe("".join(tags))
    value, label = choices[i]
    chosen = f'<option value="{escape(value)}" selected>{escape(label)}</option>'
    return mark_safe("".join(tags[:i]) + chosen + "".join(tags[i + 1 :]))


class PoolFilterForm(forms.Form):
    """The pool page's filters; unknown values are reported, not guessed.

    The template writes the selects itself with `select_options()`; choices are callables over
    per-process caches so that building the form copies no long lists.
    """

    q = forms.CharField(label="Search", required=False, max_length=200)
    industry = forms.CharField(label="Industry", required=False, max_length=200)
    product = forms.ChoiceField(required=False)
    country = forms.ChoiceField(choices=lambda: _filter_choices()["country"], required=False)
    status = forms.ChoiceField(choices=lambda: _filter_choices()["status"], required=False)
    activity_type = forms.ChoiceField(label="Agreed to", choices=lambda: _filter_choices()["activity_type"], required=False)
    order = forms.ChoiceField(choices=lambda: _filter_choices()["order"], required=False)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.select_choices = {**_filter_choices(), "product": (("", "Any product"), *((p, p) for p in products))}
        self.fields["product"].choices = self.select_choices["product"]

    def select_options(self) -> dict[str, SafeString]:
        """Each select's <option> tags, the value the filters show selected (what the Select widget would mark)."""
        result = {}
        for name, choices in self.select_choices.items():
            value = self.data.get(name) if self.is_bound else None
            result[name] = options_html(choices, "" if value is None else str(value))
        return result
