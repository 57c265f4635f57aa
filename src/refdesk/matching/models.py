from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from refdesk.matching.scoring import DEFAULT_WEIGHTS


def _weight(criterion: str, help_text: str):
    return models.PositiveSmallIntegerField(
        default=DEFAULT_WEIGHTS[criterion], validators=[MaxValueValidator(100)], help_text=help_text
    )


class MatchingSettings(models.Model):
    """The program's matching rules: one row, created with defaults on first read."""

    weight_industry = _weight("industry", "Same industry; closer in the NAICS tree earns more")
    weight_products = _weight("products", "Products in common with the request")
    weight_location = _weight("location", "Same country (half for the same region)")
    weight_time_zone = _weight(
        "time_zone", "Working hours shared with the prospect, for live calls"
    )
    weight_language = _weight("language", "Speaks a language the prospect asked for")
    weight_size = _weight("size", "Similar company size, on a log scale")
    weight_topics = _weight("topics", "Topics and use cases matching the request's words")
    weight_competitor = _weight("competitor", "Displaced the competitor in the deal")
    weight_satisfaction = _weight("satisfaction", "High and recent NPS or CSAT")
    weight_fairness = _weight("fairness", "Less-used references first")
    nps_threshold = models.PositiveSmallIntegerField(
        default=7,
        validators=[MaxValueValidator(10)],
        help_text="References with a lower NPS are never proposed",
    )
    short_cap = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    short_window_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    long_cap = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    long_window_days = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    cooldown_days = models.PositiveSmallIntegerField(
        default=14, validators=[MaxValueValidator(365)]
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "matching settings"
        verbose_name_plural = "matching settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="matching_settings_single_row")
        ]

    def __str__(self):
        return "Matching settings"
