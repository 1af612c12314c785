from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_hnn.datasets import load_real_pendulum
from sklearn_hnn.datasets.real import DATA_ENV, REAL_PENDULUM_FILE


def test_loads_from_a_directory_a_file_or_the_environment(shared_data_dir, monkeypatch):
    data = load_real_pendulum(shared_data_dir)
    assert data.X.shape == (556, 2) and data.t.shape == data.trial.shape == (556,)
    assert np.all(np.diff(data.t) > 0)
    assert data.t[0] == pytest.approx(5.0) and data.t[-1] == pytest.approx(99.5)
    steps = np.round(np.diff(data.t) * 6).astype(int)
    assert set(steps) == {1, 2, 3}  # 6 Hz with a few gaps
    assert np.abs(data.X).max() < 1.5
    from_file = load_real_pendulum(shared_data_dir / "real_pend_h_1.txt")
    assert_allclose(from_file.X, data.X)
    monkeypatch.setenv(DATA_ENV, str(shared_data_dir))
    assert_allclose(load_real_pendulum().X, data.X)


def test_energy_of_the_original_work(shared_data_dir):
    # H = 2.4 (1 - cos q) + p^2; the real pendulum loses energy to friction.
    data = load_real_pendulum(shared_data_dir)
    H = data.system.hamiltonian(data.X)
    assert_allclose(H[0], 2.4 * (1 - np.cos(data.X[0, 0])) + data.X[0, 1] ** 2)
    assert H[:50].mean() > H[-50:].mean()


def test_missing_file_says_how_to_point_at_it(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match=rf"real_pend_h_1\.txt.*{DATA_ENV}"):
        load_real_pendulum()
    with pytest.raises(FileNotFoundError, match=r"was not found at .*path="):
        load_real_pendulum(tmp_path)
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=f"{DATA_ENV}="):
        load_real_pendulum()


def _corrupt(shared_data_dir, tmp_path, edit):
    lines = (shared_data_dir / "real_pend_h_1.txt").read_text().splitlines()
    path = tmp_path / "real_pend_h_1.txt"
    path.write_text("\n".join(edit(lines)) + "\n")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: lines[:300], "has 299 data rows; the published file has 556"),
        (
            lambda lines: [*lines[:-1], lines[-1][:30]],
            "truncated: line 557 has 2 field",
        ),
        (lambda lines: ["% x y", *lines[1:]], "first line must be the header"),
        (lambda lines: [], "first line must be the header"),
        (
            lambda lines: [*lines[:10], lines[10].replace("e+000", "e+0x0", 1)],
            "line 11 holds a value that is not a number",
        ),
        (
            lambda lines: [*lines[:5], lines[5] + " 1.0"],
            "line 6 has 5 field",
        ),
        (
            lambda lines: [lines[0], lines[2], lines[1], *lines[3:]],
            "line 3: times of trial 0 are not strictly increasing",
        ),
        (
            lambda lines: [*lines[:3], " 0 nan 1 1", *lines[4:]],
            "line 4 holds NaN or infinite values",
        ),
        (
            lambda lines: [
                *lines[:9],
                lines[9].replace("e-001", "e+999", 1),
                *lines[10:],
            ],
            "line 10 holds NaN or infinite values",
        ),
    ],
)
def test_truncated_or_malformed_files_fail_clearly(
    shared_data_dir, tmp_path, edit, message
):
    path = _corrupt(shared_data_dir, tmp_path, edit)
    with pytest.raises(ValueError, match=message):
        load_real_pendulum(path)


@pytest.mark.parametrize("cut", [1, 2, 5, 8, 20])
def test_a_file_cut_inside_its_last_number_is_truncated(shared_data_dir, tmp_path, cut):
    text = (shared_data_dir / "real_pend_h_1.txt").read_bytes().rstrip(b"\r\n")
    path = tmp_path / "real_pend_h_1.txt"
    path.write_bytes(text[:-cut])
    with pytest.raises(ValueError, match="truncated: it does not end with a line"):
        load_real_pendulum(path)


def _synthetic(tmp_path, trials):
    """A well-formed file of 556 rows at 6 Hz, with the given trial labels."""
    rows = [
        f"  {trial}  {5 + i / 6:.16e}  1.0e-001  -2.0e-001 "
        for i, trial in enumerate(trials)
    ]
    path = tmp_path / REAL_PENDULUM_FILE
    path.write_text("\n".join(["%o v", *rows]) + "\n")
    return path


@pytest.mark.parametrize("label", ["0.5", "1.0000000000000000e-001", "nan", "1e300"])
def test_non_integer_trial_label_names_the_line(tmp_path, label):
    valid = ["0.0000000000000000e+000"] * 556
    assert_allclose(load_real_pendulum(_synthetic(tmp_path, valid)).trial, 0)
    path = _synthetic(tmp_path, [*valid[:9], label, *valid[10:]])
    with pytest.raises(
        ValueError,
        match=rf"malformed: line 11 has a trial label that is not an integer: "
        rf"'{label}'\.",
    ):
        load_real_pendulum(path)


def test_binary_file_fails_clearly(tmp_path):
    path = tmp_path / "real_pend_h_1.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ValueError, match="not a text file"):
        load_real_pendulum(path)


def test_no_data_file_is_tracked():
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=False
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    names = [Path(name).name for name in tracked.stdout.split()]
    assert REAL_PENDULUM_FILE not in names


def test_paper_split_uses_forward_differences_over_actual_steps(shared_data_dir):
    from sklearn_hnn.datasets import make_real_pendulum_dataset

    raw = load_real_pendulum(shared_data_dir)
    data = make_real_pendulum_dataset(shared_data_dir)
    assert len(data.X_train) == 445 and len(data.X_test) == 110  # 555 in all
    assert data.t_test[0] == pytest.approx(81.17, abs=0.01)
    X = np.concatenate([data.X_train, data.X_test])
    dXdt = np.concatenate([data.dXdt_train, data.dXdt_test])
    assert_allclose(X, raw.X[:-1])
    expected = np.diff(raw.X, axis=0) / np.diff(raw.t)[:, None]
    assert_allclose(dXdt, expected)
    # Across a gap the step is the actual one (2 or 3 sampling intervals).
    gap = np.flatnonzero(np.diff(raw.t) > 0.25)[0]
    assert_allclose(
        dXdt[gap], (raw.X[gap + 1] - raw.X[gap]) / (raw.t[gap + 1] - raw.t[gap])
    )
    central = make_real_pendulum_dataset(shared_data_dir, method="central")
    assert len(central.X_train) + len(central.X_test) == 556
    with pytest.raises(ValueError, match="n_test must be smaller"):
        make_real_pendulum_dataset(shared_data_dir, n_test=556)


def test_interleaved_trials_drop_the_last_sample_of_each(tmp_path):
    from sklearn_hnn.datasets import make_real_pendulum_dataset

    # Rows alternate between trials 0 and 1; each trial's times increase.
    trials = [i % 2 for i in range(556)]
    data = load_real_pendulum(_synthetic(tmp_path, trials))
    assert list(np.unique(data.trial)) == [0, 1]
    split = make_real_pendulum_dataset(tmp_path / REAL_PENDULUM_FILE, n_test=10)
    assert len(split.X_train) + len(split.X_test) == 554
    kept = np.concatenate([split.t_train, split.t_test])
    assert_allclose(kept, data.t[:-2])  # the last row of each trial is dropped
