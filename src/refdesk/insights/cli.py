"""`refdesk insights …`."""


def register(sub) -> None:
    """No commands yet."""
