"""Cleaning: raw strings to typed, validated, pseudonymised records, with every dropped row and its reason.
Imports the base modules and :mod:`helpers.ingest`."""
