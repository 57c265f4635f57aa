"""`refdesk request …` (reference requests)."""


def register(sub) -> None:
    pass
