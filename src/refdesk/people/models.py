import hashlib

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower

from refdesk.people.choices import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # People type their email in any case; emails are stored lower-cased.
        return self.get(email=(username or "").strip().lower())

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("role", Role.PROGRAM_MANAGER)
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """Someone who works in Refdesk: a program manager, a salesperson, a requester or an executive.

    People log in with their email. A salesperson who owns accounts is an account owner.
    """

    username = None
    email = models.EmailField("email", unique=True)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.SALES_REP)
    team = models.CharField(max_length=100, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_program_manager(self) -> bool:
        return self.is_active and (self.role == Role.PROGRAM_MANAGER or self.is_superuser)


class ApiToken(models.Model):
    """A personal token for API clients; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class AuditKind(models.TextChoices):
    CONTACT_VIEW = "contact_view", "Contact details shown"
    POOL_EXPORT = "pool_export", "Pool exported"
    PERSON_EXPORT = "person_export", "Person's data exported"
    PERSON_ERASE = "person_erase", "Person erased"
    FIGURES_EXPORT = "figures_export", "Insights exported"


class AuditVia(models.TextChoices):
    PAGE = "page", "Web page"
    API = "api", "API"
    CLI = "cli", "Command line"


class AuditEntry(models.Model):
    """One access to personal data: who saw or took what, when, through which door, from where.

    Append-only: rows are written only by `people.services.audit_record` and never changed;
    the admin shows them read-only.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The actor's email as it was, so the row still says who after the user is gone.
    actor_label = models.CharField(max_length=254)
    kind = models.CharField(max_length=20, choices=AuditKind.choices)
    via = models.CharField(max_length=8, choices=AuditVia.choices)
    object_type = models.CharField(max_length=40, default="contact")
    object_ids = models.JSONField(default=list, blank=True, help_text="Ids of the objects concerned")
    # ",3,17," — the ids again as text, so "every access to contact 17" is one LIKE on any database.
    object_ids_text = models.TextField(blank=True, default="", editable=False)
    count = models.PositiveIntegerField(default=0, help_text="How many objects (rows exported, contacts shown)")
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [models.Index(fields=["kind", "at"], name="audit_kind_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.kind} ({self.via})"
