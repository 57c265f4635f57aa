from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "refdesk.people"
    label = "people"
    verbose_name = "People and roles"
