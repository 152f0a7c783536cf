"""What every app's services share (decision 0081): setting only the fields a service lets a
person edit."""

from collections.abc import Iterable, Mapping
from typing import Any


def assign_fields(instance, data: Mapping[str, Any], editable: Iterable[str]) -> None:
    """Set `data` on `instance`, refusing any key outside `editable` (the tuple the service
    and its form share): a caller cannot reach a field the person may not edit."""
    editable = tuple(editable)
    unknown = set(data) - set(editable)
    if unknown:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(instance, name, value)
