"""Property-based tests of the argument checks of the public entry points.

Hypothesis throws shapes, dtypes and values at the differentiation helpers, the
integrator, the energy metric, the physical systems and the real-pendulum
loaders. Every call must either succeed, with an output of the documented shape
holding only finite values, or raise a ValueError or TypeError whose message
names the argument at fault. Anything else fails: a torch RuntimeError, an
IndexError, a numpy warning (turned into an error here), a wrong output shape.

Each argument is drawn either from values the documentation allows or from
values it does not, and the test knows which: a valid call must succeed and an
invalid one must fail, so a missing check and a check that is too strict are
both caught. The estimators have their own property-based tests.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from sklearn_hnn.datasets import load_real_pendulum, make_real_pendulum_dataset
from sklearn_hnn.datasets.real import REAL_PENDULUM_FILE, find_data_file
from sklearn_hnn.differentiation import (
    METHODS,
    FiniteDifference,
    SavitzkyGolay,
    time_derivative,
)
from sklearn_hnn.differentiation.finite_difference import KINDS
from sklearn_hnn.integrate import METHODS as INTEGRATORS
from sklearn_hnn.integrate import integrate
from sklearn_hnn.metrics import energy_mse
from sklearn_hnn.systems import MassSpring, NBody, Pendulum
from tests.strategies import (
    NOT_A_NUMBER,
    NOT_A_NUMBER_OR_NONE,
    POSITIVE_INTS,
    POSITIVE_NUMBERS,
    array_likes,
    attempt,
    call_with,
    expect,
    finite_of_shape,
    given_settings,
    shapes,
    tagged,
    time_grids,
)

# The shared machinery lives in tests/strategies.py.


# --- differentiation ------------------------------------------------------------


@given_settings(150)
@given(shape=shapes(), data=st.data())
def test_time_derivative_X(shape, data):
    X, numbers = data.draw(array_likes(shape))
    n = shape[0] if shape else 1
    valid = numbers is not None and len(shape) == 2 and n >= 2 and shape[1] >= 1
    # A single row is a segment too short for the method; the message says so
    # in terms of t and method.
    single = numbers is not None and len(shape) == 2 and n == 1 and shape[1] >= 1
    expect(
        lambda: time_derivative(X, np.arange(n) * 0.5),
        valid,
        ["X", "t", "method"] if single else ["X"],
        finite_of_shape(shape),
    )


@given_settings(150)
@given(n=st.integers(2, 6), data=st.data())
def test_time_derivative_t(n, data):
    X = np.arange(2.0 * n).reshape(n, 2) ** 2
    t, ok = data.draw(time_grids(n))
    expect(lambda: time_derivative(X, t), ok, ["t"], finite_of_shape((n, 2)))


LABELS = st.one_of(st.integers(0, 2), st.sampled_from(["a", "b"]))


@st.composite
def group_labels(draw, n):
    """``(groups, ok)``; ``ok`` is None when the labels are well formed (then
    the segments decide) and False when they cannot be labels of ``n`` rows."""
    form = draw(st.sampled_from(["list", "array", "wrong length", "2-D", "mixed"]))
    if form == "mixed":
        labels = draw(st.lists(LABELS, min_size=n - 1, max_size=n - 1))
        return [None, *labels], False
    length = draw(st.sampled_from([n - 1, n + 1])) if form == "wrong length" else n
    homogeneous = st.one_of(
        st.lists(st.integers(0, 2), min_size=length, max_size=length),
        st.lists(st.sampled_from("ab"), min_size=length, max_size=length),
    )
    labels = draw(homogeneous)
    if form == "list":
        return labels, None
    if form == "array":
        return np.asarray(labels), None
    if form == "2-D":
        return np.asarray(labels)[:, None], False
    return labels, False


@given_settings(120)
@given(n=st.integers(2, 6), method=st.sampled_from(METHODS), data=st.data())
def test_time_derivative_groups(n, method, data):
    X = np.linspace(0.0, 1.0, 2 * n).reshape(n, 2)
    groups, ok = data.draw(group_labels(n))
    if ok is None:  # well formed: valid when every trajectory has enough rows
        min_points = 7 if method == "savgol" else 2
        counts = np.unique(np.asarray(groups), return_counts=True)[1]
        ok = bool(counts.min() >= min_points)
    expect(
        lambda: time_derivative(
            X, np.arange(n, dtype=float), groups=groups, method=method
        ),
        ok,
        ["groups"],
        finite_of_shape((n, 2)),
    )


DIFFERENTIATION_METHODS = tagged(
    st.one_of(
        st.sampled_from(METHODS),
        st.sampled_from(KINDS).map(FiniteDifference),
        st.sampled_from([(3, 1), (5, 2)]).map(lambda args: SavitzkyGolay(*args)),
    ),
    st.one_of(
        st.text(max_size=8).filter(lambda text: text not in METHODS),
        st.sampled_from(
            [None, 3, 2.5, b"central", ["central"], FiniteDifference, "Central"]
        ),
    ),
)
MAX_GAPS = tagged(
    st.sampled_from([None, 0.75, 2.0, 1e9, np.float64(5.0), 4]),
    st.one_of(NOT_A_NUMBER, st.sampled_from([0, 0.0, -1.0, np.nan, np.inf])),
)


def _min_points(method) -> int:
    if isinstance(method, str):
        return 7 if method == "savgol" else 2
    return method.min_points


@given_settings(150)
@given(method=DIFFERENTIATION_METHODS, max_gap=MAX_GAPS)
def test_time_derivative_method_and_max_gap(method, max_gap):
    # Eight rows with one gap of 3.5 in the middle.
    t = np.array([0.0, 0.5, 1.0, 1.5, 5.0, 5.5, 6.0, 6.5])
    X = np.column_stack([np.sin(t), t**2])
    arguments = {"method": method, "max_gap": max_gap}
    if method[1] and max_gap[1]:
        gap = max_gap[0]
        steps = np.diff(t)
        splits = [] if gap is None else np.flatnonzero(steps > gap) + 1
        pieces = np.split(np.arange(8), splits)
        if min(len(piece) for piece in pieces) < _min_points(method[0]):
            arguments["max_gap"] = (gap, False)  # segments too short
    call_with(
        lambda method, max_gap: time_derivative(X, t, method=method, max_gap=max_gap),
        arguments,
        check=finite_of_shape(X.shape),
    )


INT_ARGUMENTS = st.one_of(
    st.integers(-3, 12),
    st.integers(3, 9).map(np.int64),
    st.sampled_from([7.0, np.float64(5.0), 2.5, np.nan, True, False, "7", None, [5]]),
)


def _is_int(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


@given_settings(60)
@given(
    kind=st.one_of(
        st.sampled_from(KINDS), st.text(max_size=8), st.sampled_from([None, 1, [0]])
    )
)
def test_finite_difference_kind(kind):
    valid = isinstance(kind, str) and kind in KINDS
    expect(lambda: FiniteDifference(kind), valid, ["kind"])


@given_settings(120)
@given(window_length=INT_ARGUMENTS, polyorder=INT_ARGUMENTS)
def test_savitzky_golay_parameters(window_length, polyorder):
    window_ok = _is_int(window_length) and window_length >= 3 and window_length % 2
    order_ok = _is_int(polyorder) and window_ok and 1 <= polyorder < window_length
    ok, result = expect(
        lambda: SavitzkyGolay(window_length, polyorder),
        bool(window_ok and order_ok),
        ["window_length"] if not window_ok else ["polyorder"],
    )
    if ok:
        assert (result.window_length, result.polyorder) == (window_length, polyorder)
        assert result.min_points == window_length


@given_settings(200)
@given(
    differentiator=st.sampled_from(
        [FiniteDifference("forward"), FiniteDifference("central"), SavitzkyGolay(3, 2)]
    ),
    shape=shapes(max_side=5),
    data=st.data(),
)
def test_differentiate_segment(differentiator, shape, data):
    x, numbers = data.draw(array_likes(shape))
    n = shape[0] if shape else 1
    t, t_ok = data.draw(time_grids(n))
    x_ok = (
        numbers is not None
        and len(shape) == 2
        and n >= differentiator.min_points
        and shape[1] >= 1
    )
    expect(
        lambda: differentiator.differentiate_segment(x, t),
        x_ok and t_ok,
        ["x"] if not x_ok else ["t"],
        finite_of_shape(shape),
    )


# --- integration ----------------------------------------------------------------


def decay(x: torch.Tensor) -> torch.Tensor:
    return -x


@st.composite
def initial_states(draw):
    """``(x0, ok)``: tensors of every shape and dtype, arrays and lists."""
    shape = draw(shapes(max_side=3))
    kinds = ("float64", "float32", "int64", "bool", "complex", "nan", "inf")
    value, numbers = draw(array_likes(shape, kinds=kinds))
    container = draw(st.sampled_from(["tensor", "tensor", "tensor", "array", "list"]))
    if container == "list":
        return np.asarray(value).tolist(), False
    if container == "array":
        return value, False
    tensor = torch.from_numpy(np.array(value))
    ok = (
        tensor.dtype in (torch.float32, torch.float64)
        and numbers is not None
        and len(shape) == 2
        and min(shape) >= 1
    )
    return tensor, ok


@given_settings(150)
@given(x0=initial_states(), method=st.sampled_from(INTEGRATORS))
def test_integrate_x0(x0, method):
    x0, ok = x0

    def check(output):
        assert output.dtype == x0.dtype
        finite_of_shape((2, *x0.shape))(output)

    expect(lambda: integrate(decay, x0, [0.0, 0.3], method), ok, ["x0"], check)


INTEGRATION_METHODS = tagged(
    st.sampled_from(INTEGRATORS),
    st.one_of(
        st.text(max_size=6).filter(lambda text: text not in INTEGRATORS),
        st.sampled_from([None, 4, "RK4", ["rk4"]]),
    ),
)
#: Only max_steps large enough never to run out on this problem is valid here:
#: running out is a RuntimeError by design (see tests/integrate).
MAX_STEPS = tagged(
    st.sampled_from([10_000, np.int64(1_000_000)]),
    st.one_of(NOT_A_NUMBER_OR_NONE, st.sampled_from([0, -5, 1e4, np.nan])),
)


@given_settings(200)
@given(
    n_times=st.integers(1, 4),
    data=st.data(),
    method=INTEGRATION_METHODS,
    substeps=POSITIVE_INTS,
    rtol=POSITIVE_NUMBERS,
    atol=POSITIVE_NUMBERS,
    max_steps=MAX_STEPS,
)
def test_integrate_time_grid_and_options(
    n_times, data, method, substeps, rtol, atol, max_steps
):
    t, t_ok = data.draw(time_grids(n_times, output_grid=True))
    n_times = len(np.ravel(t)) if t_ok else n_times
    x0 = torch.tensor([[1.0, 0.0], [0.5, -2.0], [0.0, 0.0]], dtype=torch.float64)
    call_with(
        lambda t, method, substeps, rtol, atol, max_steps: integrate(
            decay,
            x0,
            t,
            method,
            substeps=substeps,
            rtol=rtol,
            atol=atol,
            max_steps=max_steps,
        ),
        {
            "t": (t, t_ok),
            "method": method,
            "substeps": substeps,
            "rtol": rtol,
            "atol": atol,
            "max_steps": max_steps,
        },
        check=finite_of_shape((n_times, 3, 2)),
    )


@pytest.mark.parametrize("field", [None, 3, "rk4", torch.zeros(2)])
def test_integrate_rejects_a_field_that_is_not_callable(field):
    with pytest.raises(TypeError, match=r"\bfield\b"):
        integrate(field, torch.zeros(2, 2), [0.0, 1.0])


@pytest.mark.parametrize("method", INTEGRATORS)
@pytest.mark.parametrize(
    "field",
    [
        lambda x: x[:, :1],
        lambda x: x.T,
        lambda x: x.sum(),
        lambda x: (-x).numpy(),
        lambda x: None,
    ],
    ids=["wrong width", "transposed", "scalar, broadcast silently", "array", "None"],
)
def test_integrate_rejects_a_field_of_the_wrong_shape(field, method):
    x0 = torch.ones(3, 2, dtype=torch.float64)
    ok, _ = attempt(lambda: integrate(field, x0, [0.0, 0.1, 0.2], method), ["field"])
    assert not ok


# --- energy metric --------------------------------------------------------------


def quadratic_energy(X):
    return 0.5 * (np.asarray(X) ** 2).sum(-1)


SPRING = MassSpring()
HAMILTONIANS = tagged(
    st.sampled_from([SPRING.hamiltonian, quadratic_energy]),
    st.sampled_from([None, "H", np.ones(3)]),
)


@st.composite
def trajectory_sets(draw, shape):
    """``(trajectories, ok)``; ``shape`` is kept or, sometimes, changed."""
    if draw(st.integers(0, 4)) == 0:
        shape = draw(shapes(max_dims=4))
    value, numbers = draw(array_likes(shape))
    ok = (
        numbers is not None
        and len(shape) in (2, 3)
        and min(shape) >= 1
        and shape[-1] % 2 == 0
    )
    return value, ok, shape


@given_settings(150)
@given(
    shape=st.sampled_from([(4, 2), (2, 3, 2), (1, 1, 2), (2, 2, 4), (2, 2, 3)]),
    hamiltonian=HAMILTONIANS,
    data=st.data(),
)
def test_energy_mse(shape, hamiltonian, data):
    true, true_ok, true_shape = data.draw(trajectory_sets(shape))
    pred, pred_ok, pred_shape = data.draw(trajectory_sets(shape))
    arguments = {
        "hamiltonian": hamiltonian,
        "true_trajectories": (true, true_ok),
        "predicted_trajectories": (pred, pred_ok),
    }
    if true_ok and pred_ok and true_shape != pred_shape:
        arguments["predicted_trajectories"] = (pred, False)
    if getattr(hamiltonian[0], "__self__", None) is SPRING:
        # The spring's energy needs states of width 2 exactly.
        if true_ok and true_shape[-1] != 2:
            arguments["true_trajectories"] = (true, False)
        if pred_ok and pred_shape[-1] != 2:
            arguments["predicted_trajectories"] = (pred, False)

    def check(value):
        assert isinstance(value, float) and np.isfinite(value) and value >= 0

    call_with(energy_mse, arguments, check=check)


@pytest.mark.parametrize(
    ("hamiltonian", "message"),
    [
        (lambda X: np.ones(3), "hamiltonian must return"),  # wrong shape
        (lambda X: np.full(X.shape[:-1], np.nan), "hamiltonian returned"),
        (lambda X: "energy", "hamiltonian must return"),
    ],
)
def test_energy_mse_checks_what_the_hamiltonian_returns(hamiltonian, message):
    trajectories = np.ones((2, 5, 2))
    with pytest.raises((ValueError, TypeError), match=message):
        energy_mse(hamiltonian, trajectories, trajectories)


# --- physical systems -----------------------------------------------------------


SYSTEM_PARAMETERS = tagged(
    st.sampled_from([0.5, 1, 2.0, np.float64(9.81), np.int64(3), 1e3]),
    st.one_of(
        NOT_A_NUMBER_OR_NONE, st.sampled_from([0, 0.0, -1.0, np.nan, np.inf, -np.inf])
    ),
)
MASSES = tagged(
    st.sampled_from([(1.0, 1.0), [1, 2, 3], np.array([0.5, 2.0]), (np.float32(1), 2)]),
    st.sampled_from(
        [
            (1.0,),
            (),
            1.0,
            None,
            "ab",
            (1.0, 0.0),
            (1.0, -1.0),
            (1.0, np.nan),
            (1.0, np.inf),
            (1.0, 1j),
            ((1.0, 1.0), (1.0, 1.0)),
            (1.0, "a"),
            ((1.0,), (1.0, 2.0)),
        ]
    ),
)


@given_settings(120)
@given(
    system=st.sampled_from(["spring", "pendulum", "nbody"]),
    first=SYSTEM_PARAMETERS,
    second=SYSTEM_PARAMETERS,
    third=SYSTEM_PARAMETERS,
    masses=MASSES,
)
def test_system_parameters(system, first, second, third, masses):
    if system == "spring":
        cls, arguments = MassSpring, {"stiffness": first, "mass": second}
    elif system == "pendulum":
        cls = Pendulum
        arguments = {"mass": first, "length": second, "gravity": third}
    else:
        cls, arguments = NBody, {"masses": masses, "gravity": first}
    ok, result = call_with(cls, arguments)
    if ok:  # the parameters are stored as floats
        for name, (value, _) in arguments.items():
            stored = getattr(result, name)
            np.testing.assert_array_equal(stored, np.asarray(value, dtype=float))
            assert np.asarray(stored).dtype == np.float64


SYSTEMS = [
    MassSpring(stiffness=2.0, mass=0.5),
    Pendulum(),
    NBody(masses=(1.0, 2.0)),
    NBody(masses=(1.0, 1.0, 1.0), gravity=2.0),
]


def _coincide(system, numbers) -> bool:
    """Whether two bodies share a position in some state of ``numbers``."""
    if not isinstance(system, NBody):
        return False
    q = numbers[..., : system.n_dof].reshape(*numbers.shape[:-1], -1, 2)
    i, j = np.triu_indices(system.n_bodies, k=1)
    return bool(np.any(np.all(q[..., i, :] == q[..., j, :], axis=-1)))


@given_settings(250)
@given(
    system=st.sampled_from(SYSTEMS),
    method=st.sampled_from(
        [
            "hamiltonian",
            "gradient",
            "vector_field",
            "kinetic_energy",
            "potential_energy",
        ]
    ),
    batch=shapes(min_dims=0, max_dims=2, max_side=3),
    width=st.sampled_from([None, None, 1, 2, 3, 4, 8, 12]),
    data=st.data(),
)
def test_system_methods(system, method, batch, width, data):
    if method.endswith("_energy") and not isinstance(system, NBody):
        method = "hamiltonian"  # the N-body system alone splits its energy
    width = system.n_features if width is None else width
    shape = (*batch, width)
    if data.draw(st.integers(0, 9)) == 0:
        shape = batch  # no state axis at all, or a wrong one
    X, numbers = data.draw(array_likes(shape))
    ok = (
        numbers is not None
        and len(shape) >= 1
        and shape[-1] == system.n_features
        and int(np.prod(shape)) > 0
        and (method == "kinetic_energy" or not _coincide(system, numbers))
    )
    out_shape = shape[:-1] if "energy" in method or method == "hamiltonian" else shape
    expect(lambda: getattr(system, method)(X), ok, ["X"], finite_of_shape(out_shape))


@given_settings(100)
@given(
    system=st.sampled_from(SYSTEMS[:2]),
    shape=st.sampled_from([(2,), (1, 2), (3, 2), (2, 2), (3,), (2, 3), (0, 2), ()]),
    n_times=st.integers(1, 4),
    rtol=POSITIVE_NUMBERS,
    atol=POSITIVE_NUMBERS,
    data=st.data(),
)
def test_system_trajectories(system, shape, n_times, rtol, atol, data):
    x0, numbers = data.draw(array_likes(shape))
    x0_ok = (
        numbers is not None
        and len(shape) in (1, 2)
        and shape[-1] == system.n_features
        and int(np.prod(shape)) > 0
    )
    t, t_ok = data.draw(time_grids(n_times, output_grid=True))
    n_times = len(np.ravel(t)) if t_ok else n_times
    out_shape = (n_times, 2) if len(shape) == 1 else (*shape[:1], n_times, 2)
    call_with(
        system.trajectories,
        {"x0": (x0, x0_ok), "t": (t, t_ok), "rtol": rtol, "atol": atol},
        check=finite_of_shape(out_shape),
    )


def test_nbody_rejects_bodies_at_the_same_position():
    system = NBody(masses=(1.0, 1.0))
    state = np.array([1.0, 2.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0])
    for method in (system.hamiltonian, system.gradient, system.vector_field):
        with pytest.raises(ValueError, match=r"\bX\b.*same position"):
            method(state)
    with pytest.raises(ValueError, match=r"\bx0\b.*same position"):
        system.trajectories(state, [0.0, 1.0])
    assert system.kinetic_energy(state) == 0.0


# --- the real pendulum ------------------------------------------------------------


N_TESTS = tagged(
    st.sampled_from([1, 110, 554, np.int64(5)]),
    st.one_of(NOT_A_NUMBER_OR_NONE, st.sampled_from([0, -1, 110.0, 556, 10**6])),
)


@given_settings(40)
@given(method=DIFFERENTIATION_METHODS, n_test=N_TESTS)
def test_real_pendulum_dataset_arguments(shared_data_dir, method, n_test):
    is_forward = method[0] == "forward" or (
        isinstance(method[0], FiniteDifference) and method[0].kind == "forward"
    )
    available = 555 if is_forward else 556
    if n_test[1] and not n_test[0] < available:
        n_test = (n_test[0], False)

    def check(data):
        assert len(data.X_test) == len(data.dXdt_test) == len(data.t_test) == n_test[0]
        assert len(data.X_train) + n_test[0] == available
        for values in data.values():
            if isinstance(values, np.ndarray):
                assert np.all(np.isfinite(values))

    call_with(
        lambda method, n_test: make_real_pendulum_dataset(
            shared_data_dir, method=method, n_test=n_test
        ),
        {"method": method, "n_test": n_test},
        check=check,
    )


def test_forward_instance_drops_the_last_sample_like_the_name(shared_data_dir):
    by_name = make_real_pendulum_dataset(shared_data_dir, method="forward")
    by_instance = make_real_pendulum_dataset(
        shared_data_dir, method=FiniteDifference("forward")
    )
    np.testing.assert_array_equal(by_name.dXdt_train, by_instance.dXdt_train)
    np.testing.assert_array_equal(by_name.dXdt_test, by_instance.dXdt_test)


@pytest.mark.parametrize("path", [3, 2.5, b"/tmp", ["/tmp"], object(), ""])
def test_real_pendulum_rejects_a_path_of_the_wrong_type(path):
    for call in (
        lambda: load_real_pendulum(path),
        lambda: make_real_pendulum_dataset(path),
        lambda: find_data_file(REAL_PENDULUM_FILE, path),
    ):
        ok, _ = attempt(call, ["path"])
        assert not ok


@pytest.mark.parametrize("name", [None, 3, "", b"real_pend_h_1.txt"])
def test_find_data_file_rejects_a_bad_name(name, tmp_path):
    ok, _ = attempt(lambda: find_data_file(name, tmp_path), ["name"])
    assert not ok


def test_arguments_are_checked_before_the_file_is_read(tmp_path):
    # tmp_path holds no data file: reading first would raise FileNotFoundError.
    for kwargs in ({"n_test": 0}, {"method": "spline"}, {"n_test": "5"}):
        with pytest.raises(ValueError, match=rf"\b{next(iter(kwargs))}\b"):
            make_real_pendulum_dataset(tmp_path, **kwargs)


# --- ragged and other odd array-likes ---------------------------------------------


RAGGED = [[1.0, 2.0], [3.0]]


def test_ragged_input_is_named():
    cases = [
        (lambda: time_derivative(RAGGED, [0.0, 1.0]), "X"),
        (lambda: time_derivative([[1.0], [2.0]], [[0.0], 1.0]), "t"),
        (lambda: FiniteDifference().differentiate_segment(RAGGED, [0.0, 1.0]), "x"),
        (lambda: MassSpring().hamiltonian(RAGGED), "X"),
        (lambda: NBody().gradient([RAGGED]), "X"),
        (lambda: MassSpring().trajectories(RAGGED, [0.0, 1.0]), "x0"),
        (lambda: energy_mse(quadratic_energy, [RAGGED], [RAGGED]), "true_trajectories"),
        (lambda: integrate(decay, torch.zeros(1, 2), [[0.0], 1.0]), "t"),
    ]
    for call, name in cases:
        ok, _ = attempt(call, [name])
        assert not ok, name
