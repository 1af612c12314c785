"""Multilayer perceptrons with the initialisation used by Greydanus et al. (2019)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import torch
from torch import nn


# Why: on some x86 builds torch's CPU ``tanh`` kernel is several times slower
# than its ``sigmoid`` kernel (0.32 ms against 0.08 ms for the identity on
# 200,000 floats, measured on a 2-core AVX-512 EPYC), which made ``tanh`` a
# quarter of the cost of a rollout step. On small tensors the single ``tanh``
# kernel is faster; under autograd its one-kernel backward is cheaper than the
# identity's three; GPUs have a fast ``tanh``.
class Tanh(nn.Tanh):
    """Hyperbolic tangent, computed as ``2 sigmoid(2x) - 1`` on CPU without autograd.

    The identity is exact in real arithmetic and agrees with :func:`torch.tanh`
    to 2e-7 in float32. It is used for large CPU tensors without autograd
    (see :func:`fast_tanh`); training, small tensors and GPUs use
    :func:`torch.tanh`.

    Parameters
    ----------
    *args, **kwargs
        Passed to :class:`torch.nn.Tanh`, which takes none.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``tanh(x)``, by :func:`fast_tanh`.

        Parameters
        ----------
        x : torch.Tensor
            Input, of any shape.

        Returns
        -------
        torch.Tensor
            ``tanh(x)``, of the shape of ``x``.
        """
        return fast_tanh(x)


#: Fewest elements for which :func:`fast_tanh` uses the sigmoid identity: below
#: it (about 40 rows of 200), one ``tanh`` kernel beats the identity's three.
SIGMOID_TANH_MIN_NUMEL = 8192


def fast_tanh(x: torch.Tensor) -> torch.Tensor:
    """``tanh(x)``, by the cheaper of two kernels on CPU without autograd.

    See :class:`Tanh`. The identity ``2 sigmoid(2x) - 1`` is used for CPU
    tensors of at least :data:`SIGMOID_TANH_MIN_NUMEL` elements when gradients
    are off; :func:`torch.tanh` everywhere else.
    """
    if (
        x.device.type == "cpu"
        and not torch.is_grad_enabled()
        and x.numel() >= SIGMOID_TANH_MIN_NUMEL
    ):
        return tanh_by_sigmoid(x)
    return torch.tanh(x)


def tanh_by_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """``tanh(x)`` as ``2 sigmoid(2x) - 1`` (in place on a temporary: no autograd)."""
    return torch.sigmoid(2.0 * x).mul_(2.0).sub_(1.0)


#: Activation names accepted by the estimators, mapped to their torch modules.
#: Smooth activations suit Hamiltonian models: the learned dynamics are a
#: *derivative* of the network, and the derivative of ``relu`` is piecewise constant.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": Tanh,
    "softplus": nn.Softplus,
    "sigmoid": nn.Sigmoid,
    "silu": nn.SiLU,
    "gelu": nn.GELU,
    "elu": nn.ELU,
    "relu": nn.ReLU,
}

#: An activation as the estimators take it: a name of :data:`ACTIVATIONS`, or a
#: ``torch.nn.Module`` class built without arguments.
Activation = str | type[nn.Module]

#: Piecewise-linear activations: their second derivative is zero almost
#: everywhere, so an energy built from them has a piecewise-constant gradient.
PIECEWISE_LINEAR: tuple[type[nn.Module], ...] = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.RReLU,
    nn.Hardtanh,
    nn.Hardsigmoid,
    nn.Hardswish,
    nn.Hardshrink,
    nn.Softshrink,
    nn.Threshold,
)


def activation_class(activation: Activation) -> type[nn.Module]:
    """The module class of ``activation``: a name of :data:`ACTIVATIONS` or a
    ``torch.nn.Module`` subclass (returned as it is).

    Raises
    ------
    ValueError
        If ``activation`` is neither.
    """
    if isinstance(activation, str) and activation in ACTIVATIONS:
        return ACTIVATIONS[activation]
    if isinstance(activation, type) and issubclass(activation, nn.Module):
        return activation
    raise ValueError(
        f"activation must be one of {sorted(ACTIVATIONS)} or a torch.nn.Module "
        f"class; got {activation!r}."
    )


def is_piecewise_linear(activation: Activation) -> bool:
    """Whether ``activation`` has no useful second derivative (ReLU and the like)."""
    return issubclass(activation_class(activation), PIECEWISE_LINEAR)


def make_mlp(
    n_inputs: int,
    hidden_layer_sizes: Sequence[int],
    n_outputs: int,
    activation: Activation = "tanh",
    *,
    output_bias: bool = True,
) -> nn.Sequential:
    """Build a fully connected network ``R^n_inputs -> R^n_outputs``.

    Weights are initialised orthogonally, as in the original HNN experiments; biases
    keep torch's default initialisation.

    Parameters
    ----------
    n_inputs : int
        Width of the input.
    hidden_layer_sizes : sequence of int
        Width of each hidden layer, in order. May be empty (a linear map).
    n_outputs : int
        Width of the output.
    activation : str or torch.nn.Module class, default="tanh"
        One of :data:`ACTIVATIONS`, or a module class built without
        arguments, applied after every hidden layer.
    output_bias : bool, default=True
        Whether the last layer has a bias. A scalar energy does not need one:
        an additive constant changes none of its derivatives.

    Returns
    -------
    torch.nn.Sequential
        Maps a tensor of shape ``(..., n_inputs)`` to ``(..., n_outputs)``.

    Examples
    --------
    >>> import torch
    >>> net = make_mlp(2, (16, 16), 1)
    >>> net(torch.zeros(5, 2)).shape
    torch.Size([5, 1])
    """
    activation_cls = activation_class(activation)
    widths = [n_inputs, *hidden_layer_sizes, n_outputs]
    layers: list[nn.Module] = []
    n_layers = len(widths) - 1
    for i, (w_in, w_out) in enumerate(pairwise(widths)):
        is_last = i == n_layers - 1
        linear = nn.Linear(w_in, w_out, bias=output_bias or not is_last)
        nn.init.orthogonal_(linear.weight)
        layers.append(linear)
        if not is_last:
            layers.append(activation_cls())
    return nn.Sequential(*layers)


_SQRT_HALF = 0.5**0.5
_INV_SQRT_2PI = (2.0 * torch.pi) ** -0.5


def _tanh_slope(a: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    return 1.0 - h * h


#: Derivative of each supported activation, from its input ``a`` and output ``h``.
ACTIVATION_DERIVATIVES: dict[type[nn.Module], Callable] = {
    nn.Tanh: _tanh_slope,
    Tanh: _tanh_slope,
    nn.Sigmoid: lambda a, h: h * (1.0 - h),
    nn.Softplus: lambda a, h: torch.sigmoid(a),
    nn.SiLU: lambda a, h: torch.sigmoid(a) * (1.0 + a * (1.0 - torch.sigmoid(a))),
    nn.ELU: lambda a, h: torch.where(a > 0, torch.ones_like(a), h + 1.0),
    nn.ReLU: lambda a, h: (a > 0).to(a.dtype),
    nn.GELU: lambda a, h: (
        0.5 * (1.0 + torch.erf(a * _SQRT_HALF))
        + a * _INV_SQRT_2PI * torch.exp(-0.5 * a * a)
    ),
}


def is_explicit_mlp(module: nn.Module) -> bool:
    """Whether ``module`` is a scalar MLP that :func:`mlp_input_gradient` handles."""
    if not isinstance(module, nn.Sequential) or len(module) % 2 != 1:
        return False
    linears, activations = list(module)[::2], list(module)[1::2]
    return (
        all(type(m) is nn.Linear for m in linears)
        and linears[-1].out_features == 1
        and all(
            type(m) in ACTIVATION_DERIVATIVES
            and (type(m) is not nn.Softplus or (m.beta == 1 and m.threshold >= 20))
            and (type(m) is not nn.ELU or m.alpha == 1.0)
            and (type(m) is not nn.GELU or m.approximate == "none")
            for m in activations
        )
    )


def mlp_input_gradient(mlp: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """Gradient of a scalar MLP with respect to its input, by explicit chain rule.

    One forward pass stores each activation's slope; one backward sweep of
    matrix products then gives ``dH/dx``. Every operation is an ordinary torch
    operation, so under ``torch.no_grad()`` no graph is built at all, and when
    gradients are enabled, training needs only first-order autograd through
    this computation (no double backward).

    Parameters
    ----------
    mlp : torch.nn.Sequential
        Alternating ``Linear`` and activation modules ending in a ``Linear``
        with one output, as built by :func:`make_mlp`.
    x : torch.Tensor of shape (..., n_inputs)
        Inputs of the MLP.

    Returns
    -------
    torch.Tensor of shape (..., n_inputs)
        Gradient of the MLP's output with respect to ``x``, at every input.
    """
    layers = list(mlp)
    slopes = []
    h = x
    for linear, activation in zip(layers[:-1:2], layers[1::2], strict=True):
        a = nn.functional.linear(h, linear.weight, linear.bias)
        h = activation(a)
        slopes.append(ACTIVATION_DERIVATIVES[type(activation)](a, h))
    grad = layers[-1].weight[0]  # (width,): dH/dh of the last hidden layer
    for linear, slope in zip(reversed(layers[:-1:2]), reversed(slopes), strict=True):
        grad = (grad * slope) @ linear.weight
    return grad.expand_as(x)
