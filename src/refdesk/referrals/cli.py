"""`refdesk referrals …`."""


def register(sub) -> None:
    pass
