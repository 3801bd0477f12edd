"""Multi-dimensional root-cause localisation on leaf cubes (docs/root-cause.md).

Engine-independent (numpy / pandas): the warehouse's ``kpi_root_causes`` model and the
``kpi-trust rca`` command call the same :func:`localize` / :func:`localize_ratio`.
"""

from kpi_trust.rca.localize import Localization, RootCause, localize, localize_ratio

__all__ = ["Localization", "RootCause", "localize", "localize_ratio"]
