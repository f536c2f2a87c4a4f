"""Reading: a quarter's raw files (CSV, XLSX in the shapes of KoboToolbox, ActivityInfo and partner trackers)
as tables of canonical columns of strings. Imports only the top-level base modules."""
