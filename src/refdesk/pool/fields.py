"""Form fields that name a pool record the way people do: an account by its name, a contact by
name ("Dana Fox — Prairie Cattle Co" when two share a name), picked from a list while typing; a
number (#123 or 123) still works. Nothing here shows or matches an email: the pages these forms
are on are read by people who may not see contact details."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from refdesk.pool.validation import DATABASE_ID_MAX

# A longer list is no help to pick from (and costs every page view): past it, people type.
SUGGESTIONS = 500


class _SuggestingInput(forms.TextInput):
    """A text input with a <datalist> of the field's suggestions (none when there are too many)."""

    def __init__(self, field: NamedRecordField):
        super().__init__()
        self.field = field

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        options = self.field.suggestions()
        if not options:
            return super().render(name, value, attrs, renderer)
        list_id = f"{attrs.get('id') or 'id_' + name}-options"
        attrs["list"] = list_id
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            format_html_join("", '<option value="{}">{}</option>', options),
        )


class NamedRecordField(forms.CharField):
    """Cleans to the record's id; a name that fits none or several is a form error that says so."""

    noun, plural = "record", "records"

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        self.widget = _SuggestingInput(self)

    def lookup(self, text: str) -> list[tuple[int, str]]:
        """(id, how to tell it apart) of the records `text` names exactly."""
        raise NotImplementedError

    def suggestions(self) -> list[tuple[str, str]]:
        """(value to type, label) for the datalist; [] when there are more than SUGGESTIONS."""
        raise NotImplementedError

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        number = text.removeprefix("#")
        if number.isdigit():
            if not 1 <= int(number) <= DATABASE_ID_MAX:
                raise ValidationError(f"No {self.noun} has the number {text}.")
            return int(number)
        found = self.lookup(text)
        if not found:
            raise ValidationError(f"No {self.noun} is called “{text}”: pick one from the list, or type its number (#123).")
        if len(found) > 1:
            named = ", ".join(f"#{pk} {label}" for pk, label in found[:5])
            raise ValidationError(f"{len(found)} {self.plural} are called “{text}” ({named}): type the number of the one you mean.")
        return found[0][0]


class AccountField(NamedRecordField):
    noun, plural = "account", "accounts"

    def lookup(self, text):
        from refdesk.pool.models import Account

        rows = Account.objects.filter(name__iexact=text).order_by("pk").values_list("pk", "name", "country")[:6]
        return [(pk, f"{name} ({country or 'no country'})") for pk, name, country in rows]

    def suggestions(self):
        from refdesk.pool.models import Account

        names = list(Account.objects.order_by("name").values_list("name", flat=True).distinct()[: SUGGESTIONS + 1])
        return [] if len(names) > SUGGESTIONS else [(name, "") for name in names]


class ContactField(NamedRecordField):
    noun, plural = "contact", "contacts"

    def lookup(self, text):
        from refdesk.pool.models import Contact

        name, _, account = (part.strip() for part in text.partition(" — "))
        found = Contact.objects.filter(name__iexact=name)
        if account:
            found = found.filter(account__name__iexact=account)
        rows = found.order_by("pk").values_list("pk", "name", "account__name")[:6]
        return [(pk, f"{name} — {account}") for pk, name, account in rows]

    def suggestions(self):
        from refdesk.pool.models import Contact

        rows = list(Contact.objects.order_by("name", "pk").values_list("name", "account__name")[: SUGGESTIONS + 1])
        return [] if len(rows) > SUGGESTIONS else [(f"{name} — {account}", "") for name, account in rows]
