from __future__ import annotations

import gc
import inspect
import json
import re
import warnings

import numpy as np
import pytest

import sklearn_hnn
from sklearn_hnn import _io
from sklearn_hnn.datasets import (
    _cache,
    make_pendulum_dataset,
    make_simulated_dataset,
    make_spring_dataset,
    make_three_body_dataset,
    make_two_body_dataset,
)
from sklearn_hnn.datasets._cache import load_or_build
from sklearn_hnn.exceptions import CacheWarning
from sklearn_hnn.systems import MassSpring
from sklearn_hnn.systems.base import HamiltonianSystem

MAKERS = {
    "spring": make_spring_dataset,
    "pendulum": make_pendulum_dataset,
    "two-body": make_two_body_dataset,
    "three-body": make_three_body_dataset,
}
SMALL = {"n_trajectories": 4, "n_points": 5, "random_state": 0}
#: A valid value, different from SMALL's and from the default, for every
#: parameter of every maker.
OTHER = {
    "n_trajectories": 5,
    "n_points": 6,
    "t_max": 1.5,
    "noise_std": 0.05,
    "train_fraction": 0.75,
    "random_state": 1,
    "orbit_noise": 0.1,
    "velocity_noise": 0.1,
}
STORED = {"__meta__", "t", "initial_states", "trajectories", "derivatives"}


@pytest.fixture
def simulations(monkeypatch) -> list[str]:
    """The systems simulated during the test, one entry per simulation."""
    calls = []
    original = HamiltonianSystem.trajectories

    def spy(self, *args, **kwargs):
        calls.append(repr(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HamiltonianSystem, "trajectories", spy)
    return calls


@pytest.fixture
def instant_simulation(monkeypatch):
    """Trajectories that stand still: the cache's keys do not need physics."""

    def still(self, x0, t, **kwargs):
        return np.repeat(np.asarray(x0)[:, None], len(t), axis=1)

    monkeypatch.setattr(HamiltonianSystem, "trajectories", still)


def assert_same_dataset(got, expected):
    assert list(got) == list(expected)
    for key, value in expected.items():
        if isinstance(value, np.ndarray):
            assert got[key].dtype == value.dtype and got[key].shape == value.shape
            assert got[key].tobytes() == value.tobytes(), key
        elif key == "system":
            assert type(got[key]) is type(value) and repr(got[key]) == repr(value)
        else:
            assert type(got[key]) is type(value) and got[key] == value, key


def only_file(directory):
    (path,) = directory.iterdir()
    return path


def rewrite(path, edit):
    """Rewrite a cache file as a valid archive after ``edit(arrays, meta)``."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays.pop("__meta__").item())
    edit(arrays, meta)
    with open(path, "wb") as file:
        np.savez(file, **arrays, __meta__=np.array(json.dumps(meta)))


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", MAKERS)
def test_second_call_reads_the_file_bit_for_bit(name, tmp_path, simulations):
    make = MAKERS[name]
    fresh = make(**SMALL)
    cache_dir = tmp_path / "new" / "cache"  # created with its parents
    first = make(**SMALL, cache_dir=cache_dir)
    assert len(simulations) == 2
    again = make(**SMALL, cache_dir=str(cache_dir))
    assert len(simulations) == 2  # read back, not simulated
    assert_same_dataset(first, fresh)
    assert_same_dataset(again, fresh)
    assert re.fullmatch(rf"{name}-[0-9a-f]{{20}}\.npz", only_file(cache_dir).name)


@pytest.mark.parametrize("name", MAKERS)
def test_every_parameter_has_its_own_file(name, tmp_path, instant_simulation):
    make = MAKERS[name]
    parameters = set(inspect.signature(make).parameters) - {"cache_dir"}
    assert parameters <= set(OTHER), "add the new parameter to OTHER"
    make(**SMALL, cache_dir=tmp_path)
    files = set(tmp_path.iterdir())
    for parameter in sorted(parameters):
        make(**{**SMALL, parameter: OTHER[parameter]}, cache_dir=tmp_path)
        new = set(tmp_path.iterdir()) - files
        assert len(new) == 1, parameter
        files |= new
    assert len(files) == 1 + len(parameters)


def test_cache_format_and_library_versions_are_in_the_key(
    tmp_path, instant_simulation, monkeypatch
):
    make_spring_dataset(**SMALL, cache_dir=tmp_path)
    monkeypatch.setattr(_cache, "CACHE_FORMAT", _cache.CACHE_FORMAT + 1)
    make_spring_dataset(**SMALL, cache_dir=tmp_path)
    monkeypatch.setattr(sklearn_hnn, "__version__", "0.0.0")
    make_spring_dataset(**SMALL, cache_dir=tmp_path)
    monkeypatch.setattr(_cache.np, "__version__", "0.0.0")
    make_spring_dataset(**SMALL, cache_dir=tmp_path)
    monkeypatch.setattr(_cache.scipy, "__version__", "0.0.0")
    make_spring_dataset(**SMALL, cache_dir=tmp_path)
    assert len(list(tmp_path.iterdir())) == 5


def test_equal_values_share_a_file(tmp_path, simulations):
    make_spring_dataset(**SMALL, cache_dir=tmp_path)
    same = {"n_trajectories": np.int64(4), "t_max": 3, "random_state": np.int32(0)}
    make_spring_dataset(**{**SMALL, **same}, cache_dir=tmp_path)
    assert len(simulations) == 1
    assert len(list(tmp_path.iterdir())) == 1


def _truncate(path, data):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _empty(path, data):
    path.write_bytes(b"")


def _garbage(path, data):
    path.write_bytes(np.random.default_rng(0).bytes(1000))


def _flip_array_bytes(path, data):
    content = bytearray(path.read_bytes())
    start = bytes(content).index(data.trajectories.tobytes())
    content[start + 10 : start + 13] = bytes(
        b ^ 0xFF for b in content[start + 10 : start + 13]
    )
    path.write_bytes(bytes(content))


def _alter_array(path, data):  # a valid archive: only the checksum can tell
    def edit(arrays, meta):
        arrays["trajectories"][0, 0, 0] += 1e-12

    rewrite(path, edit)


def _other_params(path, data):
    def edit(arrays, meta):
        meta["params"]["noise_std"] = 0.5

    rewrite(path, edit)


def _other_key(path, data):
    def edit(arrays, meta):
        meta["key"] = "0" * 64

    rewrite(path, edit)


def _missing_array(path, data):
    def edit(arrays, meta):
        del arrays["derivatives"]

    rewrite(path, edit)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_truncate, "BadZipFile"),
        (_empty, "EOFError"),
        (_garbage, "pickled"),
        (_flip_array_bytes, "CRC|checksum"),
        (_alter_array, "checksum of array 'trajectories' does not match"),
        (_other_params, "written for parameters"),
        (_other_key, "written for key"),
        (_missing_array, "holds arrays"),
    ],
)
def test_damaged_file_is_reported_and_rebuilt(damage, reason, tmp_path, simulations):
    fresh = make_spring_dataset(**SMALL)
    make_spring_dataset(**SMALL, cache_dir=tmp_path)
    path = only_file(tmp_path)
    damage(path, fresh)
    with pytest.warns(CacheWarning, match=reason) as record:
        rebuilt = make_spring_dataset(**SMALL, cache_dir=tmp_path)
    message = str(record[0].message)
    assert str(path) in message and "rebuilding" in message
    assert issubclass(CacheWarning, UserWarning)
    assert_same_dataset(rebuilt, fresh)
    assert len(simulations) == 3
    assert only_file(tmp_path) == path  # rewritten in place, nothing left over
    assert_same_dataset(make_spring_dataset(**SMALL, cache_dir=tmp_path), fresh)
    assert len(simulations) == 3  # the rewritten file is good


def test_a_damaged_file_leaves_no_file_handle_open(tmp_path, simulations):
    fresh = make_spring_dataset(**SMALL)
    make_spring_dataset(**SMALL, cache_dir=tmp_path)
    _truncate(only_file(tmp_path), fresh)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        make_spring_dataset(**SMALL, cache_dir=tmp_path)
        gc.collect()
    assert not [w for w in record if issubclass(w.category, ResourceWarning)]


def test_a_cache_dir_that_is_a_file_is_refused_before_simulating(tmp_path, simulations):
    not_a_directory = tmp_path / "cache"
    not_a_directory.write_text("")
    with pytest.raises(ValueError, match="cache_dir must be a directory"):
        make_spring_dataset(**SMALL, cache_dir=not_a_directory)
    assert simulations == []


def test_files_are_read_without_pickle(tmp_path):
    for make in MAKERS.values():
        make(**SMALL, cache_dir=tmp_path)
    paths = sorted(tmp_path.iterdir())
    assert len(paths) == len(MAKERS)
    for path in paths:
        with np.load(path, allow_pickle=False) as archive:
            assert set(archive.files) == STORED
            for name in archive.files:
                assert archive[name].dtype.kind in "fU"
            meta = json.loads(archive["__meta__"].item())
        assert path.name.startswith(f"{meta['name']}-{meta['key'][:20]}")
        assert set(meta["checksums"]) == STORED - {"__meta__"}


def test_objects_are_never_cached(tmp_path):
    with pytest.raises(TypeError, match="no pickling"):
        load_or_build("objects", {}, lambda: {"a": np.array([{}])}, tmp_path)
    assert list(tmp_path.iterdir()) == []


def _partial_savez(file, *args, **kwargs):
    file.write(b"PK\x03\x04 half an archive")
    raise OSError("disk full")


def _fail(*args, **kwargs):
    raise OSError("disk full")


@pytest.mark.parametrize(
    ("target", "failure"),
    [("savez", _partial_savez), ("fsync", _fail), ("replace", _fail)],
)
def test_failed_write_leaves_no_file(target, failure, tmp_path, monkeypatch):
    module = _cache.np if target == "savez" else _io.os
    monkeypatch.setattr(module, target, failure)
    with pytest.raises(OSError, match="disk full"):
        make_spring_dataset(**SMALL, cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a .tmp


@pytest.mark.parametrize(
    "random_state",
    [None, np.random.RandomState(0), np.random.default_rng(0), 1.0, True],
    ids=["None", "RandomState", "Generator", "float", "bool"],
)
def test_cache_needs_an_int_seed(random_state, tmp_path, simulations):
    for make in MAKERS.values():
        with pytest.raises(ValueError, match="random_state must be an int when "):
            make(n_trajectories=4, random_state=random_state, cache_dir=tmp_path)
    assert simulations == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("spring", {"n_trajectories": 0}),
        ("spring", {"n_points": 1.5}),
        ("pendulum", {"t_max": -1.0}),
        ("pendulum", {"noise_std": -0.1}),
        ("spring", {"train_fraction": 1.0}),
        ("spring", {"n_trajectories": 1}),
        ("spring", {"random_state": -1}),
        ("two-body", {"orbit_noise": -1.0}),
        ("three-body", {"velocity_noise": 1.0}),
    ],
)
def test_bad_arguments_fail_alike_with_and_without_cache(name, kwargs, tmp_path):
    make = MAKERS[name]
    with pytest.raises(ValueError) as plain:
        make(**{**SMALL, **kwargs})
    with pytest.raises(ValueError) as cached:
        make(**{**SMALL, **kwargs}, cache_dir=tmp_path / "cache")
    assert str(cached.value) == str(plain.value)
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("random_state", [0, None], ids=["int-seed", "no-seed"])
@pytest.mark.parametrize(
    ("cache_dir", "error", "message"),
    [
        (1, TypeError, "cache_dir must be a str or a path-like object; got 1"),
        (b"cache", TypeError, "cache_dir must be a str or a path-like object"),
        ("", ValueError, "cache_dir must not be empty; pass None for no cache"),
    ],
    ids=["int", "bytes", "empty"],
)
def test_cache_dir_must_be_a_non_empty_path(
    cache_dir, error, message, random_state, tmp_path, monkeypatch, simulations
):
    monkeypatch.chdir(tmp_path)  # where an empty path used to write its file
    for make in MAKERS.values():
        with pytest.raises(error, match=message):
            make(n_trajectories=4, random_state=random_state, cache_dir=cache_dir)
    assert simulations == []
    assert list(tmp_path.iterdir()) == []


class _Unnamed(HamiltonianSystem):
    """A system without a __repr__ of its own."""

    def _hamiltonian(self, X):
        return 0.5 * np.sum(X**2, axis=-1)

    def _gradient(self, X):
        return X


def _sample(rng, n):
    return rng.normal(size=(n, 2))


def test_a_system_without_a_repr_cannot_be_cached(tmp_path, simulations):
    kwargs = dict(
        n_trajectories=4, n_points=5, t_max=1.0, noise_std=0.0, train_fraction=0.5
    )
    make_simulated_dataset(_Unnamed(), _sample, **kwargs, random_state=0)
    assert len(simulations) == 1  # usable without a cache
    with pytest.raises(ValueError, match=r"system must define a __repr__.*_Unnamed"):
        make_simulated_dataset(
            _Unnamed(),
            _sample,
            **kwargs,
            random_state=0,
            cache_dir=tmp_path,
            cache_name="unnamed",
        )
    with pytest.raises(
        ValueError, match=r"must not redefine the arguments \['n_points'\]"
    ):
        make_simulated_dataset(
            MassSpring(),
            _sample,
            **kwargs,
            random_state=0,
            cache_dir=tmp_path,
            cache_name="spring",
            cache_params={"n_points": 50, "scale": 1},
        )
    assert len(simulations) == 1 and list(tmp_path.iterdir()) == []


class _StifferSpring(MassSpring):
    """A subclass with other physics whose parameters read as its parent's."""

    def _hamiltonian(self, X):
        return 2.0 * super()._hamiltonian(X)

    def _gradient(self, X):
        return 2.0 * super()._gradient(X)


def test_a_subclass_does_not_share_its_parents_cache_files(tmp_path, simulations):
    kwargs = dict(
        n_trajectories=4, n_points=5, t_max=1.0, noise_std=0.0, train_fraction=0.5
    )
    cached = dict(random_state=0, cache_dir=tmp_path, cache_name="spring")
    parent = make_simulated_dataset(MassSpring(), _sample, **kwargs, **cached)
    child = make_simulated_dataset(_StifferSpring(), _sample, **kwargs, **cached)
    assert simulations == [
        "MassSpring(stiffness=1.0, mass=1.0)",
        "_StifferSpring(stiffness=1.0, mass=1.0)",
    ]
    assert len(list(tmp_path.iterdir())) == 2
    assert not np.allclose(child.dXdt_train, parent.dXdt_train)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_cache_files_get_the_permissions_of_an_ordinary_file(tmp_path, umask):
    import os

    old = os.umask(umask)
    try:
        make_spring_dataset(**SMALL, cache_dir=tmp_path)
    finally:
        os.umask(old)
    (path,) = tmp_path.iterdir()
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    # Rewriting a file keeps its mode, as open(path, "w") would.
    path.chmod(0o640)
    with _io.atomic_write(path) as file:
        file.write(b"new")
    assert path.stat().st_mode & 0o777 == 0o640 and path.read_bytes() == b"new"
