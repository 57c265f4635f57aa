"""Small factories: tests pass only the fields they care about."""

import factory

from refdesk.people.choices import Role
from refdesk.people.models import User
from refdesk.pool.choices import ReferenceStatus
from refdesk.pool.models import Account, Contact, NaicsIndustry, Product, ReferenceProfile


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.SALES_REP
    password = factory.django.Password("correct-horse-battery")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Product {n}")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Account {n} Inc")
    country = "US"
    employees = 500
    industry = factory.LazyFunction(lambda: NaicsIndustry.objects.get(pk="522110"))

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set([ProductFactory(name=name) if isinstance(name, str) else name for name in extracted])


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    title = "VP Operations"
    phone = "+1 555 0100"
    languages = factory.LazyFunction(lambda: ["en"])
    time_zone = "America/New_York"


class ReferenceFactory(factory.django.DjangoModelFactory):
    """A reference profile, made through the service so its search words are right."""

    class Meta:
        model = ReferenceProfile

    contact = factory.SubFactory(ContactFactory)
    status = ReferenceStatus.ACTIVE
    activity_types = factory.LazyFunction(lambda: ["reference_call", "case_study"])
    topics = factory.LazyFunction(lambda: ["onboarding", "reporting"])
    nps = 9

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from refdesk.pool.services import reference_create

        contact = kwargs.pop("contact")
        status = kwargs.pop("status")
        return reference_create(actor=None, contact=contact, status=status, **kwargs)
