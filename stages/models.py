"""Stages of a programme, their outputs, progress updates and gates."""
