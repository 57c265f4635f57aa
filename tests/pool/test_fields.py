"""Forms name accounts and contacts the way people do, and say what is wrong when a name fits none or several."""

import pytest
from django import forms

from refdesk.pool import fields
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


class PickForm(forms.Form):
    account = fields.AccountField(required=False)
    contact = fields.ContactField(required=False)


def cleaned(**data):
    form = PickForm(data)
    form.is_valid()
    return form


def test_a_name_a_number_or_nothing_cleans_to_the_record_id():
    prairie = AccountFactory(name="Prairie Cattle Co")
    dana = ContactFactory(account=prairie, name="Dana Fox")
    form = cleaned(account="prairie cattle co", contact="Dana Fox")
    assert form.cleaned_data == {"account": prairie.pk, "contact": dana.pk}
    assert cleaned(account=f"#{prairie.pk}", contact=str(dana.pk)).cleaned_data == {"account": prairie.pk, "contact": dana.pk}
    assert cleaned(account="", contact=" ").cleaned_data == {"account": None, "contact": None}


def test_a_name_that_fits_none_or_several_is_a_form_error_that_says_which():
    first, second = AccountFactory(name="Acme", country="US"), AccountFactory(name="Acme", country="DE")
    ContactFactory(account=first, name="Sam Lee")
    twin = ContactFactory(account=second, name="Sam Lee")
    form = cleaned(account="Acme", contact="Nobody Here")
    assert f"#{first.pk} Acme (US)" in form.errors["account"][0] and "type the number" in form.errors["account"][0]
    assert "No contact is called “Nobody Here”" in form.errors["contact"][0]
    assert "2 contacts are called “Sam Lee”" in cleaned(contact="Sam Lee").errors["contact"][0]
    assert cleaned(contact="Sam Lee — Acme").errors  # both accounts are called Acme
    assert cleaned(account=f"#{second.pk}", contact=f"#{twin.pk}").is_valid()
    assert "No account has the number" in cleaned(account=str(2**31)).errors["account"][0]


def test_the_picker_offers_names_but_never_emails_and_nothing_past_the_limit(monkeypatch):
    prairie = AccountFactory(name="Prairie Cattle Co")
    ContactFactory(account=prairie, name="Dana Fox", email="dana@prairie.example")
    html = str(PickForm()["contact"]) + str(PickForm()["account"])
    assert '<option value="Dana Fox — Prairie Cattle Co">' in html and '<option value="Prairie Cattle Co">' in html
    assert 'list="id_contact-options"' in html and "@" not in html
    monkeypatch.setattr(fields, "SUGGESTIONS", 0)
    assert "<datalist" not in str(PickForm()["account"])
