"""Task 3 of Greydanus, Dzamba & Yosinski (2019): a real pendulum.

The measurements are those of Schmidt & Lipson (2009). They are not distributed
with sklearn-hnn: the loader reads them from a path you give, or from the
directory named by the ``SKLEARN_HNN_DATA`` environment variable.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from sklearn_hnn._validation import check_path, check_positive_int
from sklearn_hnn.systems import Pendulum

#: Environment variable naming a directory that holds data files.
DATA_ENV = "SKLEARN_HNN_DATA"
REAL_PENDULUM_FILE = "real_pend_h_1.txt"
REAL_PENDULUM_HEADER = "%o v"
#: Rows in the published file: one trial sampled at 6 Hz, with a few gaps.
REAL_PENDULUM_ROWS = 556

#: ``H = 2.4 (1 - cos q) + p^2``, the energy fitted to these measurements in the
#: original work (``m g l = 2.4`` and ``1 / (2 m l^2) = 1``).
REAL_PENDULUM_SYSTEM = Pendulum(mass=0.5, length=1.0, gravity=4.8)


def find_data_file(name: str, path=None, *, description: str = "") -> Path:
    """Locate a data file from an explicit path or the ``SKLEARN_HNN_DATA`` directory.

    Parameters
    ----------
    name : str
        File name, e.g. ``"real_pend_h_1.txt"``.
    path : str, path-like or None, default=None
        The file itself, or a directory that contains ``name``. When None, the
        directory named by the environment variable ``SKLEARN_HNN_DATA``.
    description : str, default=""
        What the file is, for the error message.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        With a message that names the file and both ways to point at it.
    TypeError, ValueError
        If ``name`` is not a non-empty string, or ``path`` is not None, a
        non-empty string or a path-like object.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a file name (a str); got {name!r}.")
    if not name:
        raise ValueError("name must be a non-empty file name; got ''.")
    if path is not None:
        if isinstance(path, str) and not path:
            raise ValueError(
                "path must not be empty; pass None to use the "
                f"{DATA_ENV} directory, or '.' for the current directory."
            )
        path = check_path(path)
    what = f"{name} ({description})" if description else name
    how = (
        f"Pass path='/path/to/{name}' (or the directory that contains it), or set "
        f"the environment variable {DATA_ENV} to that directory."
    )
    if path is None:
        directory = os.environ.get(DATA_ENV)
        if not directory:
            raise FileNotFoundError(
                f"{what} is needed but no location was given, and {DATA_ENV} is not "
                f"set. sklearn-hnn does not distribute this file. {how}"
            )
        candidate, source = Path(directory) / name, f"{DATA_ENV}={directory!r}"
    else:
        candidate, source = Path(path), f"path={path!r}"
        if candidate.is_dir():
            candidate = candidate / name
    if not candidate.is_file():
        raise FileNotFoundError(
            f"{what} was not found at {candidate} ({source}). {how}"
        )
    return candidate


def _parse_real_pendulum(file: Path) -> np.ndarray:
    """Rows ``(trial, t, angle, angular velocity)``, checked line by line."""
    try:
        text = file.read_text(encoding="ascii")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{file} is not the real pendulum data: it is not a text file ({exc})."
        ) from None
    lines = text.splitlines()
    if lines and not text.endswith(("\n", "\r")):
        raise ValueError(
            f"{file} is truncated: it does not end with a line break, so its last "
            f"line ({lines[-1].strip()[:80]!r}) may be cut short."
        )
    if not lines or lines[0].strip() != REAL_PENDULUM_HEADER:
        found = lines[0].strip()[:40] if lines else "an empty file"
        raise ValueError(
            f"{file} is malformed: its first line must be the header "
            f"{REAL_PENDULUM_HEADER!r}; found {found!r}."
        )
    rows = []
    last_time: dict[float, float] = {}  # trial label -> time of its latest row
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 4:
            raise ValueError(
                f"{file} is malformed or truncated: line {number} has "
                f"{len(fields)} field(s), expected 4 (trial, time, angle, "
                "angular velocity)."
            )
        try:
            row = [float(value) for value in fields]
        except ValueError:
            raise ValueError(
                f"{file} is malformed: line {number} holds a value that is not a "
                f"number: {line.strip()[:80]!r}."
            ) from None
        trial, time = row[0], row[1]
        # int64 holds every label below 2**63 exactly; 1e300 "is an integer"
        # as a float but would wrap around when converted.
        if not (trial.is_integer() and abs(trial) < 2.0**63):
            raise ValueError(
                f"{file} is malformed: line {number} has a trial label that is "
                f"not an integer: {fields[0][:40]!r}."
            )
        if not all(math.isfinite(value) for value in row):
            raise ValueError(
                f"{file} is malformed: line {number} holds NaN or infinite values: "
                f"{line.strip()[:80]!r}."
            )
        if trial in last_time and not time > last_time[trial]:
            raise ValueError(
                f"{file} is malformed: line {number}: times of trial {trial:g} are "
                f"not strictly increasing ({fields[1][:40]} after "
                f"{last_time[trial]!r})."
            )
        last_time[trial] = time
        rows.append(row)
    data = np.array(rows, dtype=float).reshape(-1, 4)
    if len(data) != REAL_PENDULUM_ROWS:
        raise ValueError(
            f"{file} has {len(data)} data rows; the published file has "
            f"{REAL_PENDULUM_ROWS}. It is truncated or not the right file."
        )
    return data


def load_real_pendulum(path=None) -> Bunch:
    """Load the real pendulum measurements of Schmidt & Lipson (2009).

    The file ``real_pend_h_1.txt`` has the header ``%o v`` and then one row per
    sample: trial (an integer label, possibly written as a float such as
    ``0.0e+000``), time [s], angle [rad], angular velocity [rad/s]. It holds 556
    samples of one trial at 6 Hz, with a few gaps. The angle and the angular
    velocity play the roles of ``q`` and ``p``.

    Parameters
    ----------
    path : str, path-like or None, default=None
        The file, or a directory that contains it. When None, the directory
        named by the environment variable ``SKLEARN_HNN_DATA``.

    Returns
    -------
    Bunch
        ``X`` of shape (556, 2), columns ``[angle, angular velocity]``; ``t`` of
        shape (556,), seconds; ``trial`` of shape (556,), the trial label of
        each row; ``feature_names``; ``system``, the pendulum
        ``H = 2.4 (1 - cos q) + p^2`` fitted to the data in the original work;
        ``filename``.

    Raises
    ------
    FileNotFoundError
        When the file cannot be found; the message says how to point at it.
    ValueError
        When the file is truncated or malformed, e.g. a trial label is not an
        integer; the message names the faulty line.

    References
    ----------
    M. Schmidt and H. Lipson, "Distilling free-form natural laws from
    experimental data", Science 324 (5923), 81-85, 2009.

    Examples
    --------
    >>> data = load_real_pendulum()  # doctest: +SKIP
    >>> data.X.shape  # doctest: +SKIP
    (556, 2)
    """
    file = find_data_file(
        REAL_PENDULUM_FILE,
        path,
        description="the real pendulum measurements of Schmidt & Lipson, 2009",
    )
    data = _parse_real_pendulum(file)
    return Bunch(
        X=data[:, 2:4].copy(),
        t=data[:, 1].copy(),
        trial=data[:, 0].astype(int),
        feature_names=["angle", "angular_velocity"],
        system=REAL_PENDULUM_SYSTEM,
        filename=str(file),
    )


def make_real_pendulum_dataset(
    path=None, *, method="forward", n_test: int = 110
) -> Bunch:
    """The real pendulum split as in the paper's Task 3.

    Derivatives come from :func:`~sklearn_hnn.differentiation.time_derivative`
    within each trial, dividing by the actual time step, so the gaps in the
    sampling are respected. With the paper's forward differences the last sample
    has no successor and is dropped, leaving 555 samples; the last ``n_test`` of
    them (``t`` from about 81 s to 99 s) are the test set.

    Parameters
    ----------
    path : str, path-like or None, default=None
        Where the file is; see :func:`load_real_pendulum`.
    method : str or Differentiator, default="forward"
        How derivatives are estimated; see
        :func:`~sklearn_hnn.differentiation.time_derivative`.
    n_test : int, default=110
        Number of final samples held out for testing; at least 1, and fewer
        than the samples available.

    Returns
    -------
    Bunch
        ``X_train``, ``dXdt_train``, ``t_train`` (first samples) and
        ``X_test``, ``dXdt_test``, ``t_test`` (last ``n_test`` samples);
        ``system``, the fitted energy ``H = 2.4 (1 - cos q) + p^2``;
        ``filename``.

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`load_real_pendulum`; also a ValueError if ``method`` or
        ``n_test`` is invalid. The arguments are checked before the file is
        read, ``n_test`` against the number of samples once it is.
    """
    from sklearn_hnn.differentiation import FiniteDifference, time_derivative
    from sklearn_hnn.differentiation._registry import resolve_method

    n_test = check_positive_int(n_test, "n_test")
    differentiator = resolve_method(method)
    data = load_real_pendulum(path)
    X, t, trial = data.X, data.t, data.trial
    # The last sample of each trial has no forward difference: it is dropped.
    # Times increase within a trial, so its last row in the file is its last
    # sample, whether or not the trials' rows interleave.
    _, from_end = np.unique(trial[::-1], return_index=True)
    last_of_trial = np.zeros(len(trial), dtype=bool)
    last_of_trial[len(trial) - 1 - from_end] = True
    forward = (
        isinstance(differentiator, FiniteDifference)
        and differentiator.kind == "forward"
    )
    available = len(X) - int(np.sum(last_of_trial)) if forward else len(X)
    if not n_test < available:
        raise ValueError(
            f"n_test must be smaller than the {available} samples available; got "
            f"{n_test}."
        )
    dXdt = time_derivative(X, t, groups=trial, method=differentiator)
    if forward:
        keep = ~last_of_trial
        X, t, dXdt = X[keep], t[keep], dXdt[keep]
    split = len(X) - n_test
    return Bunch(
        X_train=X[:split],
        dXdt_train=dXdt[:split],
        t_train=t[:split],
        X_test=X[split:],
        dXdt_test=dXdt[split:],
        t_test=t[split:],
        system=data.system,
        filename=data.filename,
    )
