"""Allow `python -m kpi_trust`."""

from kpi_trust.cli import main

raise SystemExit(main())
