"""The bundled sample quarter's generator: raw logs in the shapes and mess of real exports, with a manifest of the
seed report's figures. Development and demonstration only; :mod:`helpers` never imports it."""

import os

# openpyxl writes its XML through lxml when lxml is installed, which gives other bytes than its own writer and
# so other hashes than config/sample-files.sha256 lists. It decides when it is first imported.
os.environ.setdefault("OPENPYXL_LXML", "False")
