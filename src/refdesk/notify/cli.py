"""`refdesk worker` and webhook commands."""


def register(sub) -> None:
    pass
