"""Shared machinery of the property-based tests of argument checks.

Each argument is drawn either from values the documentation allows or from
values it does not, tagged with which; :func:`call_with` then asserts that a
valid call succeeds and an invalid one raises a ValueError or TypeError naming
the argument. Anything else (a torch RuntimeError, an IndexError, a numpy
warning, a wrong output shape) fails the test.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import torch
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def given_settings(max_examples: int):
    """Few small examples, no deadline and no example database in the checkout."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


# --- the property ----------------------------------------------------------------


def names_argument(message: str, name: str) -> bool:
    """Whether ``name`` occurs in ``message`` as a word of its own."""
    # Quotes count as word characters (so "t" is not found in "can't"), except
    # around the whole name, as scikit-learn writes parameters: 'lr'.
    word = re.search(rf"(?<![\w']){re.escape(name)}(?![\w'])", message)
    return word is not None or f"'{name}'" in message


def attempt(call, names):
    """Run ``call`` with warnings as errors.

    Returns ``(True, output)``, or ``(False, exception)`` after a ValueError or
    TypeError whose message names one of ``names``. Any other exception, and a
    ValueError or TypeError that names none of them, fails the test.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return True, call()
        except (ValueError, TypeError) as exc:
            message = str(exc)
            assert any(names_argument(message, name) for name in names), (
                f"{type(exc).__name__} names none of {list(names)}: {message}"
            )
            return False, exc


def expect(call, valid, names, check=None):
    """Assert that ``call`` succeeds when ``valid`` and fails when not.

    ``valid=None`` allows either outcome. A failure must name one of ``names``;
    ``check(output)`` is applied to the output of a success.
    """
    ok, result = attempt(call, names)
    if valid is not None:
        if valid:
            assert ok, f"valid arguments were rejected: {result}"
        else:
            assert not ok, f"invalid arguments ({list(names)}) were accepted"
    if ok and check is not None:
        check(result)
    return ok, result


def finite_of_shape(shape):
    """A check that the output is a float array of ``shape`` with finite values."""

    def check(output):
        output = output.detach().numpy() if torch.is_tensor(output) else output
        assert isinstance(output, np.ndarray | np.generic), type(output)
        assert np.issubdtype(output.dtype, np.floating), output.dtype
        assert output.shape == tuple(shape), (output.shape, shape)
        assert np.all(np.isfinite(output))

    return check


def tagged(valid, invalid):
    """Values tagged ``(value, True)`` from ``valid`` or ``(value, False)``."""
    return st.one_of(
        valid.map(lambda value: (value, True)),
        invalid.map(lambda value: (value, False)),
    )


def call_with(function, arguments: dict, *, check=None):
    """``function(**values)`` for ``arguments = {name: (value, ok), ...}``.

    Valid unless an argument is tagged not ok; then the error must name one of
    the arguments so tagged.
    """
    values = {name: value for name, (value, _) in arguments.items()}
    bad = [name for name, (_, ok) in arguments.items() if not ok]
    return expect(lambda: function(**values), not bad, bad, check)


# --- strategies -----------------------------------------------------------------

#: Values on a grid of quarters: two bodies either coincide or are >= 1/4 apart,
#: so nothing overflows in the N-body potential.
GRID = st.integers(-12, 12).map(lambda k: k / 4)

#: Kinds of array-likes, each with whether it holds finite real numbers.
ARRAY_KINDS = {
    "float64": True,
    "float32": True,
    "int64": True,
    "bool": True,
    "list": True,
    "object": True,
    "complex": False,
    "text": False,
    "nan": False,
    "inf": False,
    "none": False,
}


@st.composite
def converted(draw, base, kinds=tuple(ARRAY_KINDS)):
    """``(value, numbers)``: ``base`` as an array-like of a drawn kind.

    ``numbers`` is the value as float64, or None when it is not made of finite
    real numbers (complex, text, or a NaN, infinity or None somewhere).
    """
    kind = draw(st.sampled_from(kinds))
    value = base
    if kind == "float32":
        value = base.astype(np.float32)
    elif kind == "int64":
        value = np.rint(base * 4).astype(np.int64)
    elif kind == "bool":
        value = base > 0
    elif kind == "list":
        value = base.tolist()
    elif kind == "object":
        value = base.astype(object)
    elif kind == "complex":
        value = base + 1j
    elif kind == "text":
        value = np.full(base.shape, "q")
    elif kind != "float64" and base.size:  # NaN, infinity or None at one place
        value = base.astype(object) if kind == "none" else base.copy()
        index = draw(st.integers(0, base.size - 1))
        value.flat[index] = {"nan": np.nan, "inf": -np.inf, "none": None}[kind]
    if ARRAY_KINDS[kind] or not (base.size or kind in ("complex", "text")):
        return value, np.asarray(value, dtype=np.float64)
    return value, None


def array_likes(shape, kinds=tuple(ARRAY_KINDS)):
    """Array-likes of ``shape`` with values on :data:`GRID`; see :func:`converted`."""
    return hnp.arrays(np.float64, shape, elements=GRID).flatmap(
        lambda base: converted(base, kinds)
    )


def shapes(min_dims=0, max_dims=3, max_side=4):
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side
    )


#: Time steps of very different sizes, to make uneven grids.
STEPS = st.sampled_from([1e-3, 0.1, 0.25, 1.0, 7.5])
TIME_KINDS = ("float64", "float32", "int64", "list", "object", "complex", "nan")


@st.composite
def time_grids(draw, n, output_grid=False):
    """``(t, ok)``: times for ``n`` rows of data, ``ok`` when 1-D, of length
    ``n``, finite, real and strictly increasing.

    An ``output_grid`` (of an integrator) may have any length >= 1 and may
    also be strictly decreasing.
    """
    length = draw(st.sampled_from([n, n, n, max(n - 1, 0), n + 1]))
    steps = draw(st.lists(STEPS, min_size=length, max_size=length))
    values = np.cumsum(steps) - 0.5
    order = draw(st.sampled_from(["increasing", "decreasing", "repeated", "shuffled"]))
    if order == "decreasing":
        values = values[::-1].copy()
    elif order == "repeated" and length > 1:
        i = draw(st.integers(1, length - 1))
        values[i] = values[i - 1]
    elif order == "shuffled":
        values = np.asarray(draw(st.permutations(values.tolist())), dtype=np.float64)
    layout = draw(st.sampled_from(["1-D", "1-D", "1-D", "column", "scalar"]))
    if layout == "column":
        values = values[:, None]
    elif layout == "scalar":
        values = np.asarray(values[0] if length else 0.0)
    t, numbers = draw(converted(values, TIME_KINDS))
    steps = np.diff(numbers) if numbers is not None and numbers.ndim == 1 else None
    ok = (
        steps is not None
        and (len(numbers) == n or (output_grid and len(numbers) >= 1))
        and bool(np.all(steps > 0) or (output_grid and np.all(steps < 0)))
    )
    return t, ok


#: Not a number (None, where allowed, is added by the argument).
NOT_A_NUMBER = st.sampled_from(
    ["1", "big", b"1", [1.0], np.array([1.0]), 1j, True, False, np.bool_(True)]
)
NOT_A_NUMBER_OR_NONE = st.one_of(NOT_A_NUMBER, st.none())
POSITIVE_NUMBERS = tagged(
    st.sampled_from([1e-4, 1e-3, 0.5, 1, 2.0, np.float64(1e-3), np.float32(0.25)]),
    st.one_of(
        NOT_A_NUMBER_OR_NONE,
        st.sampled_from([0, 0.0, -1e-6, -2, np.nan, np.inf, -np.inf]),
    ),
)
POSITIVE_INTS = tagged(
    st.one_of(st.integers(1, 4), st.integers(1, 4).map(np.int64)),
    st.one_of(NOT_A_NUMBER_OR_NONE, st.sampled_from([0, -1, 2.5, 3.0, np.nan, np.inf])),
)
