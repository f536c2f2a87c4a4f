"""Helpers for the quarterly refugee-response report: clean, compute indicators, render."""

__version__ = "0.1.0"
