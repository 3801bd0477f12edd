"""`kpi-trust check-policy` and `kpi-trust kpi-docs`: pure checks, no dbt build (fast).

The policy checker is run on small hand-written manifests, one rule broken at a time, so each
rule is shown to fire (a checker that always says 0 would pass `make lint` too). The real
project's manifest is checked by `make lint`. The KPI docs test checks the generated catalogue
matches the YAML it is rendered from.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from kpi_trust import kpi_docs
from kpi_trust.policy import Project, check, config_call_keys, layer_of

REPO = Path(__file__).resolve().parents[2]
POLICY = {
    "layers": {
        "staging": {
            "folders": ["models/staging"],
            "name_patterns": ["^stg_[a-z0-9_]+__[a-z0-9_]+s$"],
            "may_read": ["source", "raw_seed"],
        },
        "intermediate": {
            "folders": ["models/intermediate"],
            "name_patterns": ["^int_"],
            "may_read": ["staging", "intermediate", "lookup_seed"],
        },
        "marts": {
            "folders": ["models/marts"],
            "name_patterns": ["^fct_", "_daily$"],
            "may_read": ["staging", "intermediate", "marts", "lookup_seed"],
        },
    },
    "raw_seeds": ["events"],
    "naming_exceptions": {},
    "dependency_exceptions": [],
    "root_model_exceptions": {},
    "primary_key_exceptions": {},
    "max_model_lines": 10,
    "forbidden_file_config": ["materialized"],
    "hard_coded_schemas": ["raw"],
    "var_scan_folders": ["models"],
    "inline_var_default_exceptions": {},
    "unit_tested_models": ["fct_events"],
}


def model(name: str, folder: str, parents: list[str], code: str = "select 1") -> dict:
    return {
        "resource_type": "model",
        "package_name": "demo",
        "name": name,
        "original_file_path": f"{folder}/{name}.sql",
        "depends_on": {"nodes": parents},
        "raw_code": code,
        "description": f"The {name} model.",
    }


def key_test(model_name: str, test: str, column: str | None = None) -> dict:
    return {
        "resource_type": "test",
        "package_name": "demo",
        "name": f"{test}_{model_name}",
        "attached_node": f"model.demo.{model_name}",
        "column_name": column,
        "test_metadata": {"name": test, "kwargs": {}},
        "depends_on": {"nodes": [f"model.demo.{model_name}"]},
    }


def clean_manifest() -> dict:
    nodes = {
        "seed.demo.events": {"resource_type": "seed", "package_name": "demo", "name": "events"},
        "model.demo.stg_app__events": model(
            "stg_app__events", "models/staging/app", ["seed.demo.events"]
        ),
        "model.demo.int_events_deduplicated": model(
            "int_events_deduplicated", "models/intermediate", ["model.demo.stg_app__events"]
        ),
        "model.demo.fct_events": model(
            "fct_events", "models/marts", ["model.demo.int_events_deduplicated"]
        ),
    }
    for name in ("stg_app__events", "int_events_deduplicated"):
        for test in ("unique", "not_null"):
            nodes[f"test.demo.{test}_{name}"] = key_test(name, test, "event_id")
    nodes["test.demo.combo_fct_events"] = key_test("fct_events", "unique_combination_of_columns")
    return {
        "metadata": {"project_name": "demo"},
        "nodes": nodes,
        "sources": {},
        "child_map": {},
        "unit_tests": {"unit_test.demo.fct_events.t": {"model": "fct_events"}},
    }


@pytest.fixture
def demo_root(tmp_path: Path) -> Path:
    (tmp_path / "models").mkdir()
    (tmp_path / "dbt_project.yml").write_text(yaml.safe_dump({"vars": {"lookback_days": 3}}))
    return tmp_path


def rules(manifest: dict, root: Path, policy: dict | None = None) -> list[str]:
    project = Project(manifest=manifest, policy=policy or POLICY, root=root)
    return [violation.rule for violation in check(project)]


def test_a_clean_project_has_no_violation(demo_root):
    assert rules(clean_manifest(), demo_root) == []


@pytest.mark.parametrize(
    ("breakage", "rule"),
    [
        # an intermediate model reading a mart
        (
            lambda m: m["nodes"]["model.demo.int_events_deduplicated"]["depends_on"][
                "nodes"
            ].append("model.demo.fct_events"),
            "layer_dependencies",
        ),
        # a mart reading the raw seed directly
        (
            lambda m: m["nodes"]["model.demo.fct_events"]["depends_on"]["nodes"].append(
                "seed.demo.events"
            ),
            "layer_dependencies",
        ),
        (lambda m: m["nodes"]["model.demo.fct_events"].update(name="events"), "model_naming"),
        (
            lambda m: m["nodes"]["model.demo.fct_events"].update(
                original_file_path="models/misc/fct_events.sql"
            ),
            "model_directories",
        ),
        (lambda m: m["nodes"].pop("test.demo.combo_fct_events"), "primary_key_tests"),
        (lambda m: m["nodes"].pop("test.demo.not_null_stg_app__events"), "primary_key_tests"),
        (
            lambda m: m["nodes"]["model.demo.fct_events"].update(raw_code="select 1\n" * 11),
            "model_size",
        ),
        (lambda m: m["nodes"]["model.demo.fct_events"].update(description=""), "documented_models"),
        (
            lambda m: m["nodes"]["model.demo.fct_events"].update(
                raw_code="{{ config(materialized='table') }} select 1"
            ),
            "config_in_project",
        ),
        (
            lambda m: m["nodes"]["model.demo.fct_events"].update(
                raw_code="select * from raw.events"
            ),
            "hard_coded_references",
        ),
        (
            lambda m: m["nodes"]["model.demo.fct_events"]["depends_on"].update(nodes=[]),
            "root_models",
        ),
        (lambda m: m.update(unit_tests={}), "unit_tested_models"),
        (
            lambda m: m["sources"].update(
                {
                    "source.demo.raw.events": {
                        "package_name": "demo",
                        "source_name": "raw",
                        "name": "events",
                    }
                }
            ),
            "source_usage",
        ),
    ],
)
def test_each_rule_fires(demo_root, breakage, rule):
    manifest = clean_manifest()
    breakage(manifest)
    assert rule in rules(manifest, demo_root)


def test_exceptions_are_configuration_and_go_stale(demo_root):
    manifest = clean_manifest()
    manifest["nodes"]["model.demo.fct_events"]["name"] = "events_ledger"
    manifest["unit_tests"] = {"t": {"model": "events_ledger"}}
    policy = copy.deepcopy(POLICY) | {"unit_tested_models": []}
    assert rules(manifest, demo_root, policy) == ["model_naming"]
    policy["naming_exceptions"] = {"events_ledger": "a ledger, named for what it holds"}
    assert rules(manifest, demo_root, policy) == []
    policy["naming_exceptions"]["gone_model"] = "removed since"
    assert rules(manifest, demo_root, policy) == ["stale_exceptions"]


def test_vars_are_declared_once_with_their_default(demo_root):
    (demo_root / "models" / "a.sql").write_text("{{ var('lookback_days') }}")
    assert rules(clean_manifest(), demo_root) == []
    (demo_root / "models" / "b.sql").write_text("{{ var('lookback_days', 5) }} {{ var('nope') }}")
    assert rules(clean_manifest(), demo_root) == ["declared_vars", "declared_vars"]


def test_config_call_keys_reads_sql_and_python_models():
    assert config_call_keys("{{ config(materialized='table', tags=['a']) }}") == {
        "materialized",
        "tags",
    }
    assert config_call_keys('dbt.config(materialized="incremental")') == {"materialized"}
    assert config_call_keys("select a = b from t") == set()


def test_layer_is_the_folder_not_a_prefix_of_it():
    assert layer_of("models/marts/x.sql", POLICY) == "marts"
    assert layer_of("models/martsy/x.sql", POLICY) is None


def test_the_repository_policy_file_parses_and_names_known_layers():
    policy = yaml.safe_load((REPO / "project_policy.yml").read_text())
    assert list(policy["layers"]) == [
        "staging", "intermediate", "marts", "quality", "trust", "anomalies", "root_cause",
    ]  # fmt: skip
    kinds = set(policy["layers"]) | {"source", "raw_seed", "lookup_seed"}
    for spec in policy["layers"].values():
        assert set(spec["may_read"]) <= kinds
    assert "marts" not in policy["layers"]["intermediate"]["may_read"]


def test_kpi_docs_are_generated_from_the_yaml():
    kpis = kpi_docs.load_kpi_definitions(REPO)
    assert len(kpis) == 18
    for kpi in kpis:
        assert kpi["model_name"] in {"api_performance_rollup_daily", "game_kpis_daily"}
        assert kpi["column_name"] and kpi["formula"] and kpi["definition"]
    assert kpi_docs.stale_files(REPO) == [], "run `kpi-trust kpi-docs` and commit the result"


def test_a_source_no_model_reads_needs_its_reason_in_the_policy(demo_root):
    manifest = clean_manifest()
    manifest["sources"]["source.demo.serving.alerts_sent"] = {
        "package_name": "demo",
        "source_name": "serving",
        "name": "alerts_sent",
    }
    assert rules(manifest, demo_root) == ["source_usage"]
    policy = copy.deepcopy(POLICY) | {"unread_sources": {"serving.alerts_sent": "written by"}}
    assert rules(manifest, demo_root, policy) == []
