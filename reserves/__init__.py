"""Reserves, drawdowns, ceiling enforcement, cost profile and balance projection."""
