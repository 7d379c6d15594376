"""Functional-test framework for blvm (Python 3 standard library only)."""
