"""A compiled training step for the fields of :mod:`sklearn_hnn.nn`.

Compiling an HNN step is subtle: ``torch.compile`` cannot compile through the
double backward that autograd uses when the input gradient is taken with
``create_graph=True``. Written functionally, it can: the prediction is a
function of the weights (``torch.func.functional_call``; for a Hamiltonian
field its input gradient is the explicit chain rule of
:func:`~sklearn_hnn.nn.fields.mlp_input_gradient`, plain operations), the
loss's weight gradients come from ``torch.func.grad_and_value``, and the whole
of it compiles into fused kernels. The result is the same gradient as the
eager step, to float rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.func import functional_call, grad_and_value

from sklearn_hnn.nn.fields import HamiltonianField

Step = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def compile_training_step(module: nn.Module) -> Step | None:
    """``step(X, y) -> (loss, y_pred)`` for the mean squared error of ``module``,
    compiled, which also adds the loss's gradient to every weight's ``.grad``.

    Parameters
    ----------
    module : torch.nn.Module
        The network being trained; its parameters are read at every call, so
        the step follows the optimizer's updates.

    Returns
    -------
    callable or None
        None when the module cannot be compiled this way: a
        :class:`~sklearn_hnn.nn.HamiltonianField` whose energy network needs
        autograd for its input gradient.

    Notes
    -----
    The first call compiles (seconds on a CPU); a batch of a new shape
    compiles again once.
    """
    if isinstance(module, HamiltonianField) and not module._explicit_gradient:
        return None

    def loss(params: dict, X: torch.Tensor, y: torch.Tensor):
        y_pred = functional_call(module, params, (X,))
        return nn.functional.mse_loss(y_pred, y), y_pred

    loss_and_grads = torch.compile(grad_and_value(loss, has_aux=True))

    def step(X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # Detached: torch.func takes the gradients itself, and the outer
        # autograd must not record a graph through them into .grad.
        trained = {n: p for n, p in module.named_parameters() if p.requires_grad}
        params = {n: p.detach() for n, p in trained.items()}
        grads, (value, y_pred) = loss_and_grads(params, X, y)
        for n, p in trained.items():
            p.grad = grads[n] if p.grad is None else p.grad + grads[n]
        return value, y_pred

    return step
