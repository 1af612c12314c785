"""A compiled training step for the fields of :mod:`sklearn_hnn.nn`.

Compiling an HNN step is subtle: ``torch.compile`` cannot compile through the
double backward that autograd uses when the input gradient is taken with
``create_graph=True``. Written functionally, it can: the prediction is a
function of the weights (``torch.func.functional_call``; for a Hamiltonian
field its input gradient is the explicit chain rule of
:func:`~sklearn_hnn.nn.mlp_input_gradient`, plain operations), the
loss's weight gradients come from ``torch.func.grad_and_value``, and the whole
of it compiles into fused kernels. The result is the same gradient as the
eager step, to float rounding.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import torch
from torch import nn
from torch.func import functional_call, grad_and_value

Step = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class Loss(Protocol):
    """What the step trains: a prediction from the network and its loss (a
    training objective of :mod:`sklearn_hnn.objectives` is one)."""

    def predict(self, field, X: torch.Tensor) -> torch.Tensor: ...

    def loss(self, y_pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor: ...


def compile_training_step(module: nn.Module, objective: Loss) -> Step | None:
    """``step(X, y) -> (loss, y_pred)`` of ``objective`` for ``module``,
    compiled, which also adds the loss's gradient to every weight's ``.grad``.

    Parameters
    ----------
    module : torch.nn.Module
        The network being trained; its parameters are read at every call, so
        the step follows the optimizer's updates.
    objective : object
        What to train: ``objective.predict(field, X)`` and
        ``objective.loss(y_pred, y)``, as the training objectives of
        :mod:`sklearn_hnn.objectives` define them.

    Returns
    -------
    callable or None
        None when the module says it cannot be compiled (its ``compilable``
        attribute is false, as for a
        :class:`~sklearn_hnn.nn.HamiltonianField` whose energy network needs
        autograd for its input gradient).

    Notes
    -----
    The first call compiles (seconds on a CPU); a batch of a new shape
    compiles again once.
    """
    if not getattr(module, "compilable", True):
        return None

    def loss(params: dict, X: torch.Tensor, y: torch.Tensor):
        def field(x: torch.Tensor) -> torch.Tensor:
            return functional_call(module, params, (x,))

        y_pred = objective.predict(field, X)
        return objective.loss(y_pred, y), y_pred

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
