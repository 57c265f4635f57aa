"""`refdesk match` (built in the matching issue)."""


def register(sub) -> None:
    pass
