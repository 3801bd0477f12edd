"""Labelled synthetic logs: an API-call log, a game-event log and their incident labels.

The generator is the warehouse's ground truth: every incident it injects is written to
`injected_incidents.csv`, so trust scores and anomaly detectors can be scored, not just shown.

    from kpi_trust.generator import GeneratorConfig, generate
    result = generate(GeneratorConfig(seed=42, days=90), Path("data/generated"))
    result.paths["api_calls"], result.row_counts["game_events"]
"""

from __future__ import annotations

from .command import register
from .config import CATALOGUE, DEFAULT_PLAYERS, INCIDENT_NAMES, GeneratorConfig, IncidentSpec
from .core import GenerateResult, generate
from .schedule import Incident

__all__ = [
    "CATALOGUE",
    "DEFAULT_PLAYERS",
    "INCIDENT_NAMES",
    "GenerateResult",
    "GeneratorConfig",
    "Incident",
    "IncidentSpec",
    "generate",
    "register",
]
