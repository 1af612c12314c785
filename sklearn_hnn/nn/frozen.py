"""Trained fields frozen for inference: few torch operations per evaluation.

A rollout evaluates the same trained field thousands of times. For the small
batches of a single trajectory the cost of each evaluation is the number of
torch operations (about a microsecond each on a CPU), not arithmetic; for large
batches it is the number of passes over the activations. :func:`freeze_field`
therefore folds everything that is constant during a rollout into the weights
once:

- the estimator's input normalisation ``z = (x - offset) / x_scale`` (the
  offset is still subtracted in the precision of the state, so a large offset
  costs no digits; the scale goes into the first layer);
- the output scale ``y_scale``, and for Hamiltonian fields the symplectic
  matrix that turns ``dH/dx`` into ``(dH/dp, -dH/dq)``, into the last matrix of
  the backward sweep;
- the output weights of ``H`` into the top layer of that sweep.

An evaluation of the symplectic field of a two-hidden-layer energy is then nine
operations, plus two dtype conversions for float64 states (against about thirty
for the module), with the same result up to float rounding. Fields that are not
plain MLPs are not frozen (:func:`freeze_field` returns None) and the caller
keeps the module. Freezing is opt-in: a module says whether and how it can be
frozen through a ``freeze`` method, which builds on :class:`FrozenMLP` and
:class:`FrozenEnergyGradient` here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import torch
from torch import nn

from sklearn_hnn.nn.mlp import (
    ACTIVATION_DERIVATIVES,
    SIGMOID_TANH_MIN_NUMEL,
    Tanh,
    tanh_by_sigmoid,
)

Field = Callable[[torch.Tensor], torch.Tensor]


def freeze_field(
    module: nn.Module,
    method: str,
    *,
    offset: Sequence[float] | None = None,
    x_scale: float = 1.0,
    y_scale: float = 1.0,
) -> Field | None:
    """The field ``x -> y_scale * module.<method>((x - offset) / x_scale)``, frozen.

    Freezing is opt-in: a module that can be frozen says how in a method
    ``freeze(method, *, offset, x_scale, y_scale)`` returning the frozen field
    or None, as :class:`~sklearn_hnn.nn.HamiltonianField` and
    :class:`~sklearn_hnn.nn.DirectField` do. Any other module is left to its
    own forward.

    Parameters
    ----------
    module : torch.nn.Module
        A trained field. Its weights are read now: later changes to the module
        do not reach the frozen field.
    method : str
        Which field of the module: ``"forward"`` is the model's dynamics (the
        symplectic gradient of a :class:`~sklearn_hnn.nn.HamiltonianField`),
        ``"gradient"`` the plain gradient ``(dH/dq, dH/dp)`` of one.
    offset : sequence of float or None, default=None
        Per-column input offset; None for none.
    x_scale, y_scale : float, default=1.0
        Input and output scales.

    Returns
    -------
    callable or None
        Maps states of shape ``(n, D)`` (any floating dtype, on the module's
        device) to their time derivatives, same shape and dtype; computed in
        the dtype of the module's weights. None when the module cannot be
        frozen (the caller should then evaluate the module).

    Examples
    --------
    >>> import torch
    >>> from sklearn_hnn.nn import HamiltonianField
    >>> field = HamiltonianField(2, (16,))
    >>> frozen = freeze_field(field, "forward", offset=[1.0, 0.0], x_scale=2.0)
    >>> x = torch.randn(5, 2)
    >>> with torch.no_grad():
    ...     plain = field((x - torch.tensor([1.0, 0.0])) / 2.0)
    >>> bool(torch.allclose(frozen(x), plain, atol=1e-6))
    True
    """
    freeze = getattr(module, "freeze", None)
    if not callable(freeze):
        return None
    return freeze(method, offset=offset, x_scale=x_scale, y_scale=y_scale)


def _activation_of(
    module: nn.Module, one: torch.Tensor, slope: bool
) -> Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor | None]]:
    """``a -> (h, dh/da)`` for an activation module; the slope is None unless
    ``slope``. ``one`` is a 0-d tensor of ones in the dtype and on the device
    of ``a``. With ``slope``, the module must be in ACTIVATION_DERIVATIVES."""
    if type(module) in (Tanh, nn.Tanh):
        on_cpu = one.device.type == "cpu"

        def tanh(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
            # fast_tanh's choice, without its checks: no autograd here.
            if on_cpu and a.numel() >= SIGMOID_TANH_MIN_NUMEL:
                h = tanh_by_sigmoid(a)
            else:
                h = torch.tanh(a)
            return h, torch.addcmul(one, h, h, value=-1.0) if slope else None

        return tanh
    derivative = ACTIVATION_DERIVATIVES[type(module)] if slope else None

    def activation(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        h = module(a)
        return h, derivative(a, h) if slope else None

    return activation


#: On CPU, large batches are evaluated in chunks of about this many
#: activations per layer (2621 states of a 200-wide network), so that each
#: chunk's intermediate tensors stay in cache instead of streaming through
#: memory several times per evaluation. On 2 cores, an RK4 step of 10^4
#: pendulum states took 40 ms in chunks of 2000-2600 states, 45 ms in chunks
#: of 1000 or 5000, and 48 ms unchunked.
CHUNK_NUMEL = 2**19


class FrozenMLP:
    """``y_scale * mlp((x - offset) / x_scale)`` with the scales in the weights.

    ``mlp`` alternates ``Linear`` and activation modules, as
    :func:`~sklearn_hnn.nn.make_mlp` builds it.
    """

    #: Whether evaluations need the slope of every activation.
    slopes = False

    def __init__(self, mlp: nn.Sequential, offset, x_scale, y_scale) -> None:
        linears = list(mlp)[::2]
        self.dtype = dtype = linears[0].weight.dtype
        device = linears[0].weight.device
        self.offsets = (
            None
            if offset is None
            else {  # in the precision of the states it is subtracted from
                d: torch.as_tensor(offset, dtype=d, device=device)
                for d in (torch.float64, torch.float32)
            }
        )
        layers = []  # (bias, weight transposed), folded in float64
        for i, linear in enumerate(linears):
            weight = linear.weight.detach().double()
            bias = (
                torch.zeros(weight.shape[0], dtype=torch.float64, device=device)
                if linear.bias is None
                else linear.bias.detach().double()
            )
            if i == 0:
                weight = weight / x_scale
            if i == len(linears) - 1:
                weight, bias = weight * y_scale, bias * y_scale
            layers.append((bias.to(dtype), weight.t().to(dtype).contiguous()))
        one = torch.ones((), dtype=dtype, device=device)
        self.hidden = [
            (*layer, _activation_of(module, one, self.slopes))
            for layer, module in zip(layers[:-1], list(mlp)[1::2], strict=True)
        ]
        self.out = layers[-1]
        widest = max(weight_t.shape[1] for _, weight_t in layers)
        self.chunk_rows = (
            max(1, CHUNK_NUMEL // widest) if device.type == "cpu" else sys.maxsize
        )

    def _hidden(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The last hidden activation at ``x``, and the slope of every activation
        (Nones unless :attr:`slopes`)."""
        if self.offsets is not None:
            x = x - self.offsets.get(x.dtype, self.offsets[torch.float64])
        h, slopes = (x if x.dtype == self.dtype else x.to(self.dtype)), []
        for bias, weight_t, activation in self.hidden:
            h, slope = activation(torch.addmm(bias, h, weight_t))
            slopes.append(slope)
        return h, slopes

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """Time derivatives of the states ``x``, shape ``(n, D)``, same dtype."""
        if x.shape[0] <= self.chunk_rows:
            return self._evaluate(x)
        return torch.cat([self._evaluate(part) for part in x.split(self.chunk_rows)])

    def _evaluate(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self._hidden(x)
        out = torch.addmm(self.out[0], h, self.out[1])
        return out if out.dtype == x.dtype else out.to(x.dtype)


class FrozenEnergyGradient(FrozenMLP):
    """``(y_scale * dH/dz @ out_map)`` at ``z = (x - offset) / x_scale``.

    ``out_map`` of shape ``(D, D)`` maps the gradient to the field: the
    identity for the gradient, the symplectic matrix for Hamilton's equations.
    """

    slopes = True

    def __init__(self, mlp, offset, x_scale, y_scale, out_map) -> None:
        super().__init__(mlp, offset, x_scale, 1.0)
        linears = list(mlp)[::2]
        # Backward sweep: g <- (g * slope_j) @ back_j, from the top layer down.
        back = [linear.weight.detach().double() for linear in linears[:-1]]
        back[-1] = linears[-1].weight.detach().double()[0][:, None] * back[-1]
        back[0] = back[0] @ out_map.to(back[0].device) * y_scale
        self.back = [matrix.to(self.dtype).contiguous() for matrix in back]

    def _evaluate(self, x: torch.Tensor) -> torch.Tensor:
        _, slopes = self._hidden(x)
        grad = slopes[-1] @ self.back[-1]
        for slope, matrix in zip(slopes[-2::-1], self.back[-2::-1], strict=True):
            grad = grad.mul_(slope) @ matrix
        return grad if grad.dtype == x.dtype else grad.to(x.dtype)
