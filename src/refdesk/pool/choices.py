from django.db import models


class ReferenceStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    RETIRED = "retired", "Retired"
    DECLINED = "declined", "Declined"


# Which status may follow which. Anything else is refused with the allowed list as reason.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    ReferenceStatus.CANDIDATE: {ReferenceStatus.INVITED, ReferenceStatus.DECLINED, ReferenceStatus.RETIRED},
    ReferenceStatus.INVITED: {ReferenceStatus.ACTIVE, ReferenceStatus.DECLINED, ReferenceStatus.CANDIDATE},
    ReferenceStatus.ACTIVE: {ReferenceStatus.PAUSED, ReferenceStatus.RETIRED},
    ReferenceStatus.PAUSED: {ReferenceStatus.ACTIVE, ReferenceStatus.RETIRED},
    ReferenceStatus.RETIRED: {ReferenceStatus.CANDIDATE},
    ReferenceStatus.DECLINED: {ReferenceStatus.CANDIDATE},
}


class ActivityType(models.TextChoices):
    REFERENCE_CALL = "reference_call", "Reference call"
    CASE_STUDY = "case_study", "Case study"
    SPEAKING = "speaking", "Speaking engagement"
    MEDIA = "media", "Media call"
    WEBINAR = "webinar", "Webinar"
    SITE_VISIT = "site_visit", "Site visit"
    QUOTE = "quote", "Quote"
    LOGO = "logo", "Logo use"
    REFERRAL = "referral", "Referral"


class GiftPolicy(models.TextChoices):
    GIFTS_ALLOWED = "gifts_allowed", "Gifts allowed"
    DONATION_ONLY = "donation_only", "Donation in their name only"
    THANK_YOU_ONLY = "thank_you_only", "Thank-you only, no gifts"


class TestimonialChannel(models.TextChoices):
    WEB = "web", "Website"
    SALES_DECK = "sales_deck", "Sales deck"
    PRESS = "press", "Press"
    SOCIAL = "social", "Social media"


class ContactChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
