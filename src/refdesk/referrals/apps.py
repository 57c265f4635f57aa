from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "refdesk.referrals"
    label = "referrals"
    verbose_name = "Referrals"
