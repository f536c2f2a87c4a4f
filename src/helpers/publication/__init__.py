"""Publishing: the report's tables, figures, narrative and map, and its rendering to safe HTML and PDF.
Imports the base modules, :mod:`helpers.clean` and :mod:`helpers.measure`."""
