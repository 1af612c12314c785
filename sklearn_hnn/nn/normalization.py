"""Scaling a network's inputs and outputs: what ``normalize`` trains on and
how every later evaluation maps back to physical units.

One :class:`Normalization` holds the offset of each input column and a single
scale for the inputs and one for the outputs. Single scales keep a learned
Hamiltonian field Hamiltonian: the energy in physical units is
``x_scale * y_scale`` times the network's. :class:`NormalizedModule` wraps a
trained field with it, evaluates any of the field's methods in physical units,
and freezes itself (scales folded into the weights) where the field can be
frozen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from sklearn_hnn.nn.frozen import Field, freeze_field

#: Root mean square outside which ``normalize="auto"`` normalises.
AUTO_RANGE = (1e-2, 1e2)


def _rms(a: np.ndarray) -> float:
    # Scaled by the largest entry first: squares of data near 1e160 or 1e-170
    # would overflow or underflow.
    largest = float(np.max(np.abs(a)))
    if largest == 0.0:
        return 0.0
    return largest * float(np.sqrt(np.mean(np.square(a / largest))))


@dataclass(frozen=True)
class Normalization:
    """``z = (x - offset) / x_scale`` into the network, ``y_scale *`` out of it.

    Parameters
    ----------
    offset : ndarray of shape (n_features,) or None, default=None
        Per-column offset of the inputs; None for none.
    x_scale, y_scale : float, default=1.0
        Scale of the inputs (after the offset) and of the outputs.
    """

    offset: np.ndarray | None = None
    x_scale: float = 1.0
    y_scale: float = 1.0

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, normalize) -> Normalization:
        """The normalisation ``normalize`` asks for on data ``X`` and ``y``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Inputs.
        y : ndarray of shape (n_samples, n_outputs)
            Targets.
        normalize : {"auto", True, False}
            ``True`` centres each column of ``X`` and divides ``X`` and ``y``
            by their root mean squares; ``False`` is the identity; ``"auto"``
            normalises only when either root mean square lies outside
            :data:`AUTO_RANGE`.

        Returns
        -------
        Normalization
        """
        if normalize == "auto":
            low, high = AUTO_RANGE
            normalize = not all(low <= _rms(a) <= high for a in (X, y))
        if not normalize:
            return cls()
        offset = X.mean(axis=0, dtype=np.float64)
        x_scale, y_scale = _rms(X - offset), _rms(y)
        return cls(offset, x_scale or 1.0, y_scale or 1.0)

    @property
    def energy_scale(self) -> float:
        """What a learned energy is multiplied by in physical units: its
        gradient, scaled by ``1 / x_scale`` into and ``y_scale`` out of the
        network, is the field."""
        return self.x_scale * self.y_scale

    @property
    def is_identity(self) -> bool:
        """Whether inputs and outputs are used as given."""
        return self.offset is None and self.x_scale == 1.0 and self.y_scale == 1.0

    def inputs(self, X):
        """``(X - offset) / x_scale`` of an array or a tensor, in its dtype."""
        if self.offset is None:
            return X if self.x_scale == 1.0 else X / self.x_scale
        if isinstance(X, torch.Tensor):
            offset = torch.as_tensor(self.offset, dtype=X.dtype, device=X.device)
        else:
            offset = np.asarray(self.offset, dtype=X.dtype)
        return (X - offset) / self.x_scale

    def wrap(self, module: nn.Module) -> NormalizedModule:
        """``module`` in physical units (see :class:`NormalizedModule`)."""
        return NormalizedModule(module, self)


class NormalizedModule(nn.Module):
    """A trained field evaluated in physical units.

    ``field(method)`` is ``x -> y_scale * module.<method>((x - offset) /
    x_scale)``: the inputs normalised in the precision of the states (a large
    offset costs no digits), the network run in the dtype of its weights, the
    outputs returned in the dtype of the states.

    Parameters
    ----------
    module : torch.nn.Module
        The trained field.
    normalization : Normalization
        Its scales.
    """

    def __init__(self, module: nn.Module, normalization: Normalization) -> None:
        super().__init__()
        self.module = module
        self.normalization = normalization

    def field(
        self, method: str = "forward", *, frozen: bool = True
    ) -> tuple[Field, bool]:
        """The vector field ``method`` of the module, in physical units.

        Parameters
        ----------
        method : str, default="forward"
            A method of the module mapping ``(n, D)`` states to ``(n, D)``.
        frozen : bool, default=True
            Use the module's frozen form where it has one
            (:func:`~sklearn_hnn.nn.freeze_field`).

        Returns
        -------
        field : callable
            Maps states ``(n, D)`` to their time derivatives, same dtype.
        is_frozen : bool
            Whether ``field`` is the frozen form (no autograd, capturable in a
            CUDA graph).
        """
        norm = self.normalization
        if frozen:
            fast = freeze_field(
                self.module,
                method,
                offset=norm.offset,
                x_scale=norm.x_scale,
                y_scale=norm.y_scale,
            )
            if fast is not None:
                return fast, True
        function = getattr(self.module, method)
        weights = next(self.module.parameters(), None)
        dtype = torch.float32 if weights is None else weights.dtype

        def vector_field(x: torch.Tensor) -> torch.Tensor:
            out = function(norm.inputs(x).to(dtype)).to(x.dtype)
            return out * norm.y_scale if norm.y_scale != 1.0 else out

        return vector_field, False

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The module's dynamics in physical units.

        Parameters
        ----------
        x : torch.Tensor of shape (n, D)
            States.

        Returns
        -------
        torch.Tensor of shape (n, n_outputs)
            Their time derivatives.
        """
        return self.field("forward", frozen=False)[0](x)
