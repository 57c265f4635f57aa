"""`refdesk growth …`."""


def register(sub) -> None:
    pass
