"""Reporting: the highlight report and reserve statement jobs, the audit history, reminders."""
