"""`kpi-trust check-policy`: the naming, layer and testing policy, checked on dbt's manifest.

Why: dbt-project-evaluator and dbt-bouncer need packages or a venv of their own (the evaluator
is a dbt package, which `dbt deps` cannot fetch here), and out of the box they report the house
naming rules as violations a reader must explain away. This checker reads the same kind of
rules from `project_policy.yml`, where every exception is written with its reason, and checks
them on `target/manifest.json` of a fresh build (`make lint`), so 0 violations means 0.

Rules (names as printed): model_directories, model_naming, layer_dependencies, root_models,
primary_key_tests, model_size, documented_models, config_in_project, hard_coded_references,
declared_vars, source_usage (a source no model reads, such as a table a CLI command writes,
needs its reason under `unread_sources`), unit_tested_models, and stale_exceptions (an
exception that no longer matches anything is itself reported, so the policy file cannot rot).

The checks are pure functions of the manifest, the policy and the project's files, tested in
tests/python/test_policy.py on small hand-written manifests.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kpi_trust.cli import UserError

VAR_CALL = re.compile(r"""\bvar\(\s*['"]([A-Za-z0-9_]+)['"]\s*(,)?""")
CONFIG_CALL = re.compile(r"\bconfig\s*\(")
KEYWORD_ARGUMENT = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: which rule, on which node or file, and what is wrong."""

    rule: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject}: {self.message}"


@dataclass(frozen=True)
class Project:
    """What the checks read: the manifest, the policy, and the project's own files."""

    manifest: dict
    policy: dict
    root: Path

    @property
    def models(self) -> dict[str, dict]:
        return {
            uid: node
            for uid, node in self.manifest["nodes"].items()
            if node["resource_type"] == "model" and node["package_name"] == self.project_name
        }

    @property
    def project_name(self) -> str:
        return self.manifest["metadata"].get("project_name") or next(
            node["package_name"]
            for node in self.manifest["nodes"].values()
            if node["resource_type"] == "model"
        )


def layer_of(path: str, policy: dict) -> str | None:
    """The first layer whose folder holds `path` (a file path relative to the project)."""
    for layer, spec in policy["layers"].items():
        if any(
            path == folder or path.startswith(folder.rstrip("/") + "/")
            for folder in spec["folders"]
        ):
            return layer
    return None


def kind_of(uid: str, project: Project) -> str:
    """What a parent node is for layer_dependencies: a layer name, source, raw_seed, lookup_seed."""
    if uid.startswith("source."):
        return "source"
    node = project.manifest["nodes"].get(uid, {})
    if node.get("resource_type") == "seed":
        return "raw_seed" if node["name"] in project.policy.get("raw_seeds", []) else "lookup_seed"
    if node.get("resource_type") == "model":
        return layer_of(node["original_file_path"], project.policy) or "unknown"
    return node.get("resource_type", "unknown")


def article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def node_name(uid: str) -> str:
    return uid.split(".")[-1]


def check_directories_and_naming(project: Project) -> list[Violation]:
    policy = project.policy
    exceptions = policy.get("naming_exceptions") or {}
    violations = []
    for node in project.models.values():
        layer = layer_of(node["original_file_path"], policy)
        if layer is None:
            violations.append(
                Violation(
                    "model_directories",
                    node["name"],
                    f"{node['original_file_path']} is in no layer's folder",
                )
            )
            continue
        patterns = policy["layers"][layer]["name_patterns"]
        if node["name"] in exceptions:
            continue
        if not any(re.search(pattern, node["name"]) for pattern in patterns):
            violations.append(
                Violation(
                    "model_naming",
                    node["name"],
                    f"{article(layer)} {layer} model must match {' or '.join(patterns)}",
                )
            )
    return violations


def check_layer_dependencies(project: Project) -> list[Violation]:
    policy = project.policy
    allowed_extra: dict[str, set[str]] = {}
    for exception in policy.get("dependency_exceptions") or []:
        allowed_extra.setdefault(exception["model"], set()).update(exception["reads"])
    violations = []
    for node in project.models.values():
        layer = layer_of(node["original_file_path"], policy)
        if layer is None:
            continue
        may_read = set(policy["layers"][layer]["may_read"])
        for parent in node["depends_on"]["nodes"]:
            kind = kind_of(parent, project)
            if kind in may_read or node_name(parent) in allowed_extra.get(node["name"], set()):
                continue
            violations.append(
                Violation(
                    "layer_dependencies",
                    node["name"],
                    f"{article(layer)} {layer} model reads {node_name(parent)} ({kind})",
                )
            )
    return violations


def check_root_models(project: Project) -> list[Violation]:
    exceptions = project.policy.get("root_model_exceptions") or {}
    return [
        Violation("root_models", node["name"], "reads no model, seed or source")
        for node in project.models.values()
        if not node["depends_on"]["nodes"] and node["name"] not in exceptions
    ]


def check_primary_keys(project: Project) -> list[Violation]:
    policy = project.policy
    keys = policy.get("primary_key_tests") or {}
    single = set(keys.get("single_column", ["unique", "not_null"]))
    combination = set(keys.get("combination", ["unique_combination_of_columns"]))
    exceptions = policy.get("primary_key_exceptions") or {}
    tests_by_model: dict[str, list[dict]] = {}
    for node in project.manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("test_metadata"):
            continue
        attached = node.get("attached_node") or (node["depends_on"]["nodes"] or [None])[0]
        if attached:
            tests_by_model.setdefault(attached, []).append(node)
    violations = []
    for uid, node in project.models.items():
        if node["name"] in exceptions:
            continue
        tests = tests_by_model.get(uid, [])
        names_by_column: dict[str, set[str]] = {}
        has_combination = False
        for test in tests:
            name = test["test_metadata"]["name"]
            has_combination |= name in combination
            column = test.get("column_name") or test["test_metadata"]["kwargs"].get("column_name")
            if column:
                names_by_column.setdefault(column, set()).add(name)
        if has_combination or any(single <= names for names in names_by_column.values()):
            continue
        violations.append(
            Violation(
                "primary_key_tests",
                node["name"],
                f"no {' + '.join(sorted(single))} column and no {', '.join(sorted(combination))}",
            )
        )
    return violations


def check_model_size(project: Project) -> list[Violation]:
    limit = int(project.policy.get("max_model_lines", 200))
    violations = []
    for node in project.models.values():
        lines = len(node["raw_code"].splitlines())
        if lines > limit:
            violations.append(
                Violation("model_size", node["name"], f"{lines} lines (at most {limit})")
            )
    return violations


def check_documented(project: Project) -> list[Violation]:
    return [
        Violation("documented_models", node["name"], "no description")
        for node in project.models.values()
        if not (node.get("description") or "").strip()
    ]


def config_call_keys(code: str) -> set[str]:
    """Keyword arguments of every `config(...)` / `dbt.config(...)` call in a model's code."""
    keys: set[str] = set()
    for match in CONFIG_CALL.finditer(code):
        depth, start = 1, match.end()
        end = start
        while end < len(code) and depth:
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        keys.update(KEYWORD_ARGUMENT.findall(code[start : end - 1]))
    return keys


def check_config_in_project(project: Project) -> list[Violation]:
    forbidden = set(project.policy.get("forbidden_file_config") or [])
    violations = []
    for node in project.models.values():
        found = sorted(config_call_keys(node["raw_code"]) & forbidden)
        if found:
            violations.append(
                Violation(
                    "config_in_project",
                    node["name"],
                    f"sets {', '.join(found)} in the model file (set it in dbt_project.yml)",
                )
            )
    return violations


def check_hard_coded_references(project: Project) -> list[Violation]:
    schemas = project.policy.get("hard_coded_schemas") or []
    if not schemas:
        return []
    pattern = re.compile(
        r"\b(?:from|join)\s+\"?(" + "|".join(map(re.escape, schemas)) + r")\"?\.\"?\w+",
        re.IGNORECASE,
    )
    violations = []
    for node in project.models.values():
        for match in pattern.finditer(node["raw_code"]):
            violations.append(
                Violation(
                    "hard_coded_references",
                    node["name"],
                    f"'{match.group(0)}': use ref() or source()",
                )
            )
    return violations


def declared_vars(root: Path) -> set[str]:
    project_file = yaml.safe_load((root / "dbt_project.yml").read_text())
    return set((project_file.get("vars") or {}).keys())


def check_vars(project: Project) -> list[Violation]:
    policy = project.policy
    declared = declared_vars(project.root)
    inline_ok = set(policy.get("inline_var_default_exceptions") or {})
    violations = []
    for folder in policy.get("var_scan_folders") or []:
        for path in sorted((project.root / folder).rglob("*")):
            if path.suffix != ".sql" or not path.is_file():
                continue
            relative = str(path.relative_to(project.root))
            for name, default in VAR_CALL.findall(path.read_text()):
                if name not in declared:
                    violations.append(
                        Violation(
                            "declared_vars",
                            relative,
                            f"var('{name}') is not declared in dbt_project.yml",
                        )
                    )
                elif default and name not in inline_ok:
                    violations.append(
                        Violation(
                            "declared_vars",
                            relative,
                            f"var('{name}', ...) repeats a default: dbt_project.yml holds it",
                        )
                    )
    return sorted(set(violations))


def check_sources(project: Project) -> list[Violation]:
    violations = []
    child_map = project.manifest.get("child_map", {})
    # tables written by something else than dbt, declared for the docs only (each with a reason)
    unread_ok = project.policy.get("unread_sources") or {}
    for uid, source in project.manifest.get("sources", {}).items():
        if source["package_name"] != project.project_name:
            continue
        readers = [child for child in child_map.get(uid, []) if child.startswith("model.")]
        subject = f"{source['source_name']}.{source['name']}"
        if not readers and subject in unread_ok:
            continue
        if len(readers) != 1:
            violations.append(
                Violation(
                    "source_usage",
                    subject,
                    f"read by {len(readers)} models (one staging model each)",
                )
            )
    return violations


def check_unit_tests(project: Project) -> list[Violation]:
    tested = {test.get("model") for test in project.manifest.get("unit_tests", {}).values()}
    return [
        Violation("unit_tested_models", name, "no dbt unit test (unit_tests: in its YAML)")
        for name in project.policy.get("unit_tested_models") or []
        if name not in tested
    ]


def check_stale_exceptions(project: Project) -> list[Violation]:
    """Exceptions naming a model that does not exist, or a dependency no longer there."""
    policy = project.policy
    by_name = {node["name"]: node for node in project.models.values()}
    violations = []
    named = {
        "naming_exceptions": policy.get("naming_exceptions") or {},
        "root_model_exceptions": policy.get("root_model_exceptions") or {},
        "primary_key_exceptions": policy.get("primary_key_exceptions") or {},
        "unit_tested_models": {name: "" for name in policy.get("unit_tested_models") or []},
    }
    for section, names in named.items():
        for name in names:
            if name not in by_name:
                violations.append(
                    Violation("stale_exceptions", name, f"in {section} but no such model")
                )
    for exception in policy.get("dependency_exceptions") or []:
        node = by_name.get(exception["model"])
        parents = {node_name(uid) for uid in node["depends_on"]["nodes"]} if node else set()
        for read in exception["reads"]:
            if read not in parents:
                violations.append(
                    Violation(
                        "stale_exceptions",
                        exception["model"],
                        f"dependency_exceptions lists {read}, which it does not read",
                    )
                )
    return violations


CHECKS = (
    check_directories_and_naming,
    check_layer_dependencies,
    check_root_models,
    check_primary_keys,
    check_model_size,
    check_documented,
    check_config_in_project,
    check_hard_coded_references,
    check_vars,
    check_sources,
    check_unit_tests,
    check_stale_exceptions,
)


def check(project: Project) -> list[Violation]:
    """Every violation of the policy, sorted by rule and subject."""
    return sorted(violation for check_rule in CHECKS for violation in check_rule(project))


def load_project(manifest_path: Path, policy_path: Path, root: Path) -> Project:
    if not manifest_path.exists():
        raise UserError(f"no manifest at {manifest_path}: run `dbt parse` (or a build) first")
    if not policy_path.exists():
        raise UserError(f"no policy file at {policy_path}")
    return Project(
        manifest=json.loads(manifest_path.read_text()),
        policy=yaml.safe_load(policy_path.read_text()),
        root=root,
    )


def run(args: argparse.Namespace) -> int:
    root = Path(args.project_dir)
    project = load_project(Path(args.manifest), root / args.policy, root)
    violations = check(project)
    for violation in violations:
        print(violation)
    print(
        f"check-policy: {len(violations)} violation{'s' if len(violations) != 1 else ''} "
        f"({len(project.models)} models, {len(CHECKS)} rules, policy {args.policy})"
    )
    return 1 if violations else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check-policy",
        help="check naming, layers, primary keys, config and vars against project_policy.yml",
        description=__doc__.split("\n\n")[1],
    )
    parser.add_argument(
        "--manifest",
        default="target/manifest.json",
        help="dbt manifest to check (default: target/manifest.json)",
    )
    parser.add_argument(
        "--policy", default="project_policy.yml", help="policy file (default: project_policy.yml)"
    )
    parser.add_argument("--project-dir", default=".", help="dbt project root (default: .)")
    parser.set_defaults(func=run)
