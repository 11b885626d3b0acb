"""Analyses over the store (spike detection)."""
