"""Running a fitted estimator's torch module on numpy rows: the checks and
the precision every estimator's prediction methods share."""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_hnn._validation import check_2d, check_float_array


def checked_rows(estimator, X, name: str = "X") -> np.ndarray:
    """``X`` checked for a fitted ``estimator``: 2-D, finite floats, of the
    width (and column names) seen in ``fit``; a ValueError naming ``name``
    otherwise."""
    check_is_fitted(estimator)
    check_2d(X, name)
    X_checked = check_float_array(X, name)
    validate_data(estimator, X, reset=False, skip_check_array=True)  # width, names
    return X_checked


def as_tensor(X: np.ndarray, dtype: torch.dtype, device) -> torch.Tensor:
    """``X`` as a tensor on ``device`` (copied if read-only or if it has
    negative strides, which torch cannot view)."""
    if not X.flags.writeable or any(stride < 0 for stride in X.strides):
        X = X.copy()
    return torch.as_tensor(X, dtype=dtype, device=device)


def evaluate(
    module: torch.nn.Module,
    method: str,
    X: np.ndarray,
    device,
    *,
    inputs: Callable[[torch.Tensor], torch.Tensor] | None = None,
    output_scale: float = 1.0,
) -> np.ndarray:
    """``output_scale * module.<method>(inputs(X))`` in the precision of ``X``.

    The weights are float32. For float64 ``X`` they are evaluated in float64
    on a copy of the module, so that results do not depend on how rows are
    batched (float32 matrix kernels round differently for different batch
    sizes).
    """
    dtype = torch.float64 if X.dtype == np.float64 else torch.float32
    if dtype != torch.float32:
        module = copy.deepcopy(module).to(dtype)
    module.eval()
    with torch.no_grad():
        tensor = as_tensor(X, dtype, device)
        out = getattr(module, method)(tensor if inputs is None else inputs(tensor))
    if output_scale != 1.0:
        out = out * output_scale
    return out.cpu().numpy().astype(X.dtype, copy=False)
