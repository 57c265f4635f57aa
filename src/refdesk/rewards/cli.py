"""`refdesk rewards …`."""


def register(sub) -> None:
    pass
