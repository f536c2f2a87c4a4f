"""``python -m samplegen``: write the bundled sample quarter under data/raw."""

from samplegen.quarter import main

raise SystemExit(main())
