"""The one place where reporting reads what the other apps may not provide yet.

The highlight report, the reminders and the audit log gather data from the stages, reserves
and risks apps. Where an app does not (yet) offer a selector or model, the caller gets
`UNAVAILABLE` and shows "Not available yet". Only a missing module or name counts as missing:
an error raised inside an app's selector is a bug and propagates.
"""

import importlib
from typing import Any

from django.apps import apps

NOT_AVAILABLE = "Not available yet"


class _Unavailable:
    """What an absent selector returns; falsy, so `if data:` reads naturally."""

    message = NOT_AVAILABLE

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNAVAILABLE"


UNAVAILABLE = _Unavailable()


def app_function(dotted: str):
    """The function at `dotted` ("stages.selectors.stage_summaries"), or None if absent."""
    module_name, _, name = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        # A module that exists but fails to import something else is broken, not absent.
        if exc.name != module_name:
            raise
        return None
    return getattr(module, name, None)


def call_app_selector(dotted: str, *args, **kwargs) -> Any:
    """Call another app's selector if it exists; `UNAVAILABLE` otherwise."""
    function = app_function(dotted)
    if function is None:
        return UNAVAILABLE
    return function(*args, **kwargs)


def app_model(label: str):
    """The model `app_label.ModelName` if it exists, else None (e.g. reserves.DrawdownRefusal)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None
