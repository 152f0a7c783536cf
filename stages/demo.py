"""The stages part of `load_demo`. Idempotent: a second run adds no rows and no history."""


def load(*, programme, users) -> None:
    """Load this app's part of the decision report for `programme`."""
