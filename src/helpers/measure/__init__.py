"""Measuring: indicators from clean records, and what of them may be published (disclosure control).
Imports the base modules and :mod:`helpers.clean`."""
