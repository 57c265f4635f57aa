"""Kinds and statuses of the rewards program."""

from django.db import models

from refdesk.pool.choices import ActivityType


class EntryKind(models.TextChoices):
    EARN = "earn", "Earned"
    REDEEM = "redeem", "Redeemed"
    EXPIRE = "expire", "Expired"
    REVERSE = "reverse", "Returned"
    ADJUST = "adjust", "Adjusted"


class SalesAction(models.TextChoices):
    """What a salesperson earns points for."""

    NOMINATION = "nomination", "Nominating a reference"
    SHARING = "sharing", "Sharing a customer"
    FEEDBACK = "feedback", "Giving feedback"


# Earn rules are keyed by activity type (the reference earns) or sales action (the rep earns).
RULE_KEYS = [*ActivityType.choices, *SalesAction.choices]
DEFAULT_POINTS = {
    "reference_call": 100, "case_study": 500, "speaking": 1000, "media": 300, "webinar": 400,
    "site_visit": 600, "quote": 100, "logo": 150, "referral": 250,
    "nomination": 50, "sharing": 100, "feedback": 20,
}  # fmt: skip


class ItemKind(models.TextChoices):
    GIFT_CARD = "gift_card", "Gift card"
    SERVICE = "service", "Service"
    DISCOUNT = "discount", "Discount"
    TRAINING = "training", "Training"
    EVENT_PASS = "event_pass", "Event pass"
    DONATION = "donation", "Donation in their name"
    THANK_YOU = "thank_you", "Thank-you"


class RedemptionStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for approval"
    APPROVED = "approved", "Approved"
    FULFILLED = "fulfilled", "Fulfilled"
    REFUSED = "refused", "Refused"


# Redemptions that count toward the yearly value cap and hold stock.
LIVE_REDEMPTION_STATUSES = (
    RedemptionStatus.REQUESTED,
    RedemptionStatus.APPROVED,
    RedemptionStatus.FULFILLED,
)


class RefusalCode(models.TextChoices):
    NOT_COMPLETED = "not_completed", "Activity not completed"
    NOT_HAPPENED = "not_happened", "Activity has not happened yet"
    ALREADY_CREDITED = "already_credited", "Already credited"
    NO_RULE = "no_rule", "No earn rule"
    SELF_CREDIT = "self_credit", "Self-nomination or self-referral"
    NOT_SHARED = "not_shared", "Not a shared customer"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    GIFT_POLICY = "gift_policy", "Account's gift policy"
    COUNTRY = "country", "Not fulfilled in that country"
    YEARLY_CAP = "yearly_cap", "Over the yearly value cap"
    OUT_OF_STOCK = "out_of_stock", "Out of stock"
    BALANCE = "balance", "Not enough points"
    INACTIVE_ITEM = "inactive_item", "Item not offered"
    REDEMPTION_REFUSED = "redemption_refused", "Redemption refused by the program manager"


class ThankYouStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Sent"
    SKIPPED = "skipped", "Skipped"


class Period(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"
