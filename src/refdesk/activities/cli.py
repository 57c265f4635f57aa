"""`refdesk activity …`."""


def register(sub) -> None:
    pass
