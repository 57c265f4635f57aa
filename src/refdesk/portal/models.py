"""The reference's own portal: their access key, the dates they are away, their erasure requests."""

import secrets

from django.conf import settings
from django.db import models


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class PortalAccess(models.Model):
    """One contact's portal key: every link and portal session carries its nonce; a new nonce revokes them all."""

    contact = models.OneToOneField(
        "pool.Contact", on_delete=models.CASCADE, related_name="portal_access"
    )
    nonce = models.CharField(max_length=32, default=new_nonce)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="When every link was last revoked"
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"portal access of contact {self.contact_id}"


class UnavailablePeriod(models.Model):
    """Days a reference said they cannot be asked (holidays, busy season); matching leaves them out then."""

    reference = models.ForeignKey(
        "pool.ReferenceProfile", on_delete=models.CASCADE, related_name="unavailable_periods"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the change stamp matching's remembered list follows

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="unavailable_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["ends_on", "starts_on"], name="unavailable_dates_idx")]

    def __str__(self):
        return f"{self.reference_id} away {self.starts_on}–{self.ends_on}"


class ErasureStatus(models.TextChoices):
    OPEN = "open", "Waiting for the program team"
    DONE = "done", "Carried out"


class ErasureRequest(models.Model):
    """The person asked through their portal to be erased; a program manager carries it out."""

    contact = models.ForeignKey(
        "pool.Contact", on_delete=models.CASCADE, related_name="erasure_requests"
    )
    requested_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per person: asking twice changes nothing.
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(status="open"),
                name="erasure_one_open_per_contact",
            )
        ]

    def __str__(self):
        return f"erasure of contact {self.contact_id} ({self.status})"
