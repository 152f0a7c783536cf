#!/usr/bin/env python
"""Wiring: Django's command-line entry point."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "programme.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # Read the settings first: Django's command runner would otherwise swallow a missing
    # SECRET_KEY (required whenever DEBUG is off) and fail later as "Models aren't loaded yet".
    settings.INSTALLED_APPS  # noqa: B018
    execute_from_command_line(sys.argv)
