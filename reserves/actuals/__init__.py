"""Actual spend from the council's finance ledger: import, reconcile with the reserve,
forecast outturn, and the Transparency Code spend file."""
