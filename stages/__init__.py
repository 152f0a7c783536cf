"""Stages, outputs (deliverables), progress updates and stage gates."""
