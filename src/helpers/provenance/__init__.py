"""Provenance over time: what each quarter's outputs were made from (``inputs``), published versions and revised
reports (``revisions``), and the index of every quarter's reports (``site_index``). Imports only the base modules;
the ``run`` and ``publish`` commands at the top of the package use it (docs/provenance.md)."""
