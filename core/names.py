"""How people are named on every page, export and e-mail: their full name, else their
username; "System" for a change no person made."""


def person_name(user, *, nobody: str = "System") -> str:
    if user is None:
        return nobody
    return user.get_full_name() or user.get_username()
