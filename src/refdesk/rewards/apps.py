from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "refdesk.rewards"
    label = "rewards"
    verbose_name = "Rewards"
