"""The bundled sample quarter's generator: raw logs in the shapes and mess of real exports, with a manifest of the
seed report's figures. Development and demonstration only; :mod:`helpers` never imports it."""
