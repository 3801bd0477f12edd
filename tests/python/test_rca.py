"""Root-cause localisation (kpi_trust.rca) on synthetic leaf cubes with known causes, and the
`kpi-trust rca` command. Runs in a few seconds: no warehouse needed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kpi_trust.cli import main
from kpi_trust.rca import localize, localize_ratio
from kpi_trust.rca.synthetic import f1_counts, make_case, make_ratio_case


def _score(cases, run):
    tp = fp = fn = exact = 0
    for case in cases:
        predicted = {cause.label for cause in run(case).causes}
        t, p, n = f1_counts(predicted, case.labels)
        tp, fp, fn = tp + t, fp + p, fn + n
        exact += predicted == case.labels
    return 2 * tp / (2 * tp + fp + fn), exact / len(cases)


def test_additive_cubes_exact_sets():
    """18,000 leaves over 4 dimensions, 1-3 causes of 1-3 attributes, noise up to 10 %."""
    cases = [make_case(np.random.default_rng(seed)) for seed in range(12)]
    f1, exact = _score(cases, lambda c: localize(c.frame, c.dimensions, "actual", "expected"))
    assert f1 >= 0.9, f1
    assert exact >= 0.9, exact


def test_additive_cubes_heavy_noise_five_dimensions():
    """48,000 leaves over 5 dimensions, causes of up to 5 attributes (single leaves
    included), noise up to 25 %, 10 % spread of the factor inside a cause."""
    cases = [
        make_case(
            np.random.default_rng(1000 + seed),
            sizes=(10, 12, 10, 8, 5),
            max_noise=0.25,
            max_attributes=5,
            cause_spread=0.1,
            zero_rate=0.25,
        )
        for seed in range(6)
    ]
    f1, _ = _score(cases, lambda c: localize(c.frame, c.dimensions, "actual", "expected"))
    assert f1 >= 0.9, f1


def test_ratio_cubes_rate_causes():
    """Failure-rate-like ratio with Poisson / binomial counting noise."""
    cases = [make_ratio_case(np.random.default_rng(seed)) for seed in range(30)]
    f1, exact = _score(
        cases,
        lambda c: localize_ratio(
            c.frame, c.dimensions, ("num_actual", "num_expected"), ("den_actual", "den_expected")
        ),
    )
    assert f1 >= 0.85, f1
    assert exact >= 0.85, exact


def test_noise_alone_rarely_yields_a_cause():
    """alpha = 0.05 per table: on pure noise, at most a few of 20 tables name a cause."""
    with_cause = 0
    for seed in range(20):
        case = make_case(np.random.default_rng(seed), sizes=(8, 10, 6, 5), n_causes=(0, 0))
        with_cause += bool(localize(case.frame, case.dimensions, "actual", "expected").causes)
    assert with_cause <= 3


def test_broad_movement_is_the_whole_cube():
    case = make_case(np.random.default_rng(5), n_causes=(0, 0))
    case.frame["actual"] = case.frame["actual"] * 0.6
    result = localize(case.frame, case.dimensions, "actual", "expected")
    assert result.is_broad
    assert result.causes[0].label == ""
    assert result.causes[0].explained_share == pytest.approx(1.0)


def test_a_cause_whose_parts_moved_by_different_factors_is_named_whole():
    """Bots arriving through one channel, most of them on one platform: every platform of the
    channel rose, by factors from 1.6 to 6. The largest part alone moves by one factor, but the
    rest of the channel rose too, materially: the channel is the cause, not its largest part.
    A part that stayed put keeps the exact cause narrow."""
    rng = np.random.default_rng(11)
    grid = [
        (p, c, k)
        for p in ("ios", "android", "web")
        for c in ("organic", "paid", "promo", "social")
        for k in [f"k{i}" for i in range(12)]
    ]
    frame = pd.DataFrame(grid, columns=["platform", "channel", "country"])
    frame["expected"] = rng.uniform(20, 60, len(frame))
    factor = {"android": 6.0, "ios": 1.6, "web": 2.5}
    boost = np.where(frame["channel"] == "social", frame["platform"].map(factor), 1.0)
    frame["actual"] = rng.poisson(frame["expected"] * boost).astype(float)
    dims = ["platform", "channel", "country"]
    result = localize(frame, dims, "actual", "expected")
    assert [c.label for c in result.causes] == ["channel=social"]
    # ios and web of the channel stay at their expectation: android of it is the exact cause
    frame["actual"] = rng.poisson(frame["expected"] * np.where(boost == 6.0, 6.0, 1.0)).astype(
        float
    )
    result = localize(frame, dims, "actual", "expected")
    assert [c.label for c in result.causes] == ["channel=social&platform=android"]


def test_ratio_mix_effect_and_exact_split():
    """One channel's traffic triples and it converts worse: the rate per leaf is unchanged,
    the whole's ratio falls by the mix effect; rate + mix shares add up to the element's
    contribution and the contributions of all leaves to the movement."""
    rng = np.random.default_rng(7)
    rows = [(p, c) for p in ("ios", "android", "web") for c in ("organic", "paid", "promo")]
    frame = pd.DataFrame(rows * 40, columns=["platform", "channel"])
    frame["country"] = np.repeat([f"c{i}" for i in range(40)], len(rows))
    frame["den_expected"] = rng.uniform(200, 400, len(frame))
    rate = np.where(frame["channel"] == "paid", 0.02, 0.08)
    frame["num_expected"] = frame["den_expected"] * rate
    boost = np.where(frame["channel"] == "paid", 3.0, 1.0)
    frame["den_actual"] = rng.poisson(frame["den_expected"] * boost).astype(float)
    frame["num_actual"] = rng.binomial(frame["den_actual"].astype(int), rate).astype(float)
    result = localize_ratio(
        frame,
        ["platform", "channel", "country"],
        ("num_actual", "num_expected"),
        ("den_actual", "den_expected"),
    )
    top = result.causes[0]
    assert top.label == "channel=paid"
    assert top.effect == "mix"
    assert top.mix_share > 0.5  # the other channels lost share: the rest of the mix effect
    assert top.explained_share == pytest.approx(top.mix_share + top.rate_share)
    assert result.total_actual < result.total_expected


def test_command_ranks_causes(tmp_path, capsys):
    case = make_case(np.random.default_rng(3), sizes=(6, 8, 5, 7))
    path = tmp_path / "leaves.csv"
    case.frame.to_csv(path, index=False)
    assert main(["rca", str(path), "--actual", "actual", "--expected", "expected"]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert set(out["root_cause"]) == case.labels
    assert list(out["rank"]) == list(range(1, len(out) + 1))


def test_command_ratio_with_joined_names(tmp_path, capsys):
    case = make_ratio_case(np.random.default_rng(1))
    frame = case.frame.rename(
        columns={
            "num_actual": "real_a",
            "num_expected": "predict_a",
            "den_actual": "real_b",
            "den_expected": "predict_b",
        }
    )
    path = tmp_path / "ratio.csv"
    frame.to_csv(path, index=False)
    code = main(
        [
            "rca",
            str(path),
            "--actual",
            "real",
            "--expected",
            "predict",
            "--numerator",
            "a",
            "--denominator",
            "b",
            "--format",
            "json",
        ]
    )
    assert code == 0
    assert '"root_causes"' in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["--actual", "x", "--expected", "y"], "no such file"),
        ("", ["--actual", "x", "--expected", "y"], "empty"),
        ("a,x,y\nu,1,2\n", ["--actual", "x", "--expected", "z"], "no column 'z'"),
        (
            "a,x,y\nu,1,2\nv,abc,3\n",
            ["--actual", "x", "--expected", "y"],
            "column 'x', row 3: 'abc' is not a number",
        ),
        ("x,y\n1,2\n", ["--actual", "x", "--expected", "y"], "no dimension column"),
        ("a,x,y\nu,1,2\n", ["--numerator", "x", "y"], "both --numerator and --denominator"),
        ("a,x,y\nu,1,2\n", [], "give --actual COL and --expected COL"),
    ],
)
def test_command_errors_name_file_and_column(tmp_path, capsys, content, args, message):
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_text(content)
    assert main(["rca", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_a_share_that_is_zero_but_for_float_noise_reads_0_percent_not_minus_0():
    # Two builds of the same data add the same sums in another order: a mix share of -4e-17 on
    # one and 1e-16 on the other must print the same sentence.
    from kpi_trust.rca.warehouse import _percent

    assert _percent(-3.9e-17) == _percent(1.2e-16) == "0 %"
    assert _percent(-0.554) == "-55 %"
    assert _percent(0.115) == "12 %"


def test_a_value_on_a_rounding_boundary_prints_the_same_digits_whatever_its_float_noise():
    from kpi_trust.rca.warehouse import KPI_MEASURES, _fmt

    purchases = KPI_MEASURES["purchases"]
    assert _fmt(7.575000000000001, purchases) == _fmt(7.574999999999999, purchases)
    assert _fmt(7.57, purchases) == "7.57"
