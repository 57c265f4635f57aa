"""`refdesk portal …`."""


def register(sub) -> None:
    """No commands yet."""
