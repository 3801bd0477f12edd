"""A leaf cube: leaves coded per dimension, and every cuboid's element of each leaf.

A *cuboid* is a set of attributes (dimensions); its *elements* are the value combinations of
those attributes that occur among the leaves (``api_name=face_match & region=eu-west``). The
search scores every element of every cuboid many times, so each cuboid is encoded once here:
an element id per leaf (dense, 0..m-1) and the attribute codes of each element. The empty
cuboid (no attribute) has one element, the whole cube: the "broad movement" hypothesis.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Cuboid:
    """One attribute combination: ``leaf_element[i]`` is leaf i's element id."""

    attributes: tuple[int, ...]
    leaf_element: np.ndarray  # int64, one per leaf
    element_codes: np.ndarray  # (n_elements, len(attributes)) value codes per element

    @property
    def n_elements(self) -> int:
        return int(self.element_codes.shape[0])


@dataclass(frozen=True)
class Cube:
    """Leaves with their dimension codes and the cuboids searched (up to ``max_order`` attrs)."""

    dimensions: tuple[str, ...]
    values: tuple[np.ndarray, ...]  # per dimension: the value of each code
    codes: np.ndarray  # (n_leaves, n_dimensions) int64
    cuboids: tuple[Cuboid, ...]

    @property
    def n_leaves(self) -> int:
        return int(self.codes.shape[0])

    def describe(self, cuboid: Cuboid, element: int) -> dict[str, str]:
        """The element as ``{dimension: value}`` in the cube's dimension order."""
        return {
            self.dimensions[attribute]: str(self.values[attribute][code])
            for attribute, code in zip(
                cuboid.attributes, cuboid.element_codes[element], strict=True
            )
        }


def _encode_cuboid(codes: np.ndarray, cardinalities: list[int], attributes: tuple[int, ...]):
    n_leaves = codes.shape[0]
    if not attributes:
        return Cuboid((), np.zeros(n_leaves, dtype=np.int64), np.zeros((1, 0), dtype=np.int64))
    radix = [cardinalities[a] for a in attributes]
    if float(np.prod(radix, dtype=float)) < 2**62:
        key = np.zeros(n_leaves, dtype=np.int64)
        for attribute, size in zip(attributes, radix, strict=True):
            key = key * size + codes[:, attribute]
        unique_keys, leaf_element = np.unique(key, return_inverse=True)
        element_codes = np.zeros((unique_keys.size, len(attributes)), dtype=np.int64)
        rest = unique_keys.copy()
        for position in range(len(attributes) - 1, -1, -1):
            element_codes[:, position] = rest % radix[position]
            rest //= radix[position]
    else:  # too many combinations for one integer key: unique rows instead
        element_codes, leaf_element = np.unique(
            codes[:, list(attributes)], axis=0, return_inverse=True
        )
    return Cuboid(attributes, leaf_element.astype(np.int64).ravel(), element_codes)


def build_cube(frame: pd.DataFrame, dimensions: list[str], max_order: int | None = None) -> Cube:
    """Encode ``frame``'s dimension columns; cuboids of 0..max_order attributes (default all).

    Leaves need not be unique or complete: rows with the same dimension values are simply
    several leaves of the same elements, and missing combinations are absent elements.
    """
    code_columns, values = [], []
    for dimension in dimensions:
        column = frame[dimension].astype("string").fillna("(null)")
        level_codes, levels = pd.factorize(column, sort=True)
        code_columns.append(level_codes.astype(np.int64))
        values.append(np.asarray(levels, dtype=object))
    codes = (
        np.column_stack(code_columns) if code_columns else np.zeros((len(frame), 0), dtype=np.int64)
    )
    return cube_from_codes(dimensions, codes, values, max_order)


def cube_from_codes(
    dimensions: list[str],
    codes: np.ndarray,
    values: list[np.ndarray],
    max_order: int | None = None,
) -> Cube:
    """A cube from already-coded leaves (``codes[:, j]`` indexes ``values[j]``): the warehouse
    codes a day once and cuts its slices from the codes."""
    order = len(dimensions) if max_order is None else min(max_order, len(dimensions))
    cardinalities = [max(len(v), 1) for v in values]
    cuboids = [
        _encode_cuboid(codes, cardinalities, attributes)
        for size in range(order + 1)
        for attributes in itertools.combinations(range(len(dimensions)), size)
    ]
    return Cube(tuple(dimensions), tuple(values), codes, tuple(cuboids))
