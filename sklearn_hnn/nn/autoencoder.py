"""Fully connected autoencoders with residual blocks, as in the pixel experiment
of Greydanus et al. (2019)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import torch
from torch import nn

from sklearn_hnn.nn.mlp import Activation, activation_class


class ResidualMLP(nn.Module):
    """A fully connected network whose equal-width hidden layers are residual.

    The first layer maps the input to the first hidden width; each following
    hidden layer adds its activation to its input (``h + act(W h + b)``) when
    its width equals the previous one, and replaces it otherwise; a linear
    layer maps the last hidden width to the output. Weights are initialised
    orthogonally; biases keep torch's default.

    Parameters
    ----------
    n_inputs : int
        Width of the input.
    hidden_layer_sizes : sequence of int
        Width of each hidden layer, in order; at least one.
    n_outputs : int
        Width of the output.
    activation : str or torch.nn.Module class, default="relu"
        A name of :data:`~sklearn_hnn.nn.ACTIVATIONS` or a module class built
        without arguments.
    """

    def __init__(
        self,
        n_inputs: int,
        hidden_layer_sizes: Sequence[int],
        n_outputs: int,
        activation: Activation = "relu",
    ) -> None:
        super().__init__()
        widths = [int(n_inputs), *map(int, hidden_layer_sizes)]
        if len(widths) < 2:
            raise ValueError("hidden_layer_sizes must hold at least one layer.")
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in pairwise(widths))
        self.residual = [i > 0 and a == b for i, (a, b) in enumerate(pairwise(widths))]
        self.activation = activation_class(activation)()
        self.output = nn.Linear(widths[-1], int(n_outputs))
        for layer in (*self.hidden, self.output):
            nn.init.orthogonal_(layer.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``x`` of shape ``(..., n_inputs)`` to ``(..., n_outputs)``."""
        h = x
        for layer, residual in zip(self.hidden, self.residual, strict=True):
            out = self.activation(layer(h))
            h = h + out if residual else out
        return self.output(h)


class Autoencoder(nn.Module):
    """An encoder to ``latent_dim`` numbers and a decoder back, mirrored.

    Both halves are :class:`ResidualMLP` networks: the encoder through
    ``hidden_layer_sizes``, the decoder through them in reverse order. The
    output is linear (no squashing), as in the original experiment.

    Parameters
    ----------
    n_features : int
        Width of the input, such as the pixels of a flattened image.
    latent_dim : int
        Width of the code.
    hidden_layer_sizes : sequence of int, default=(200, 200, 200)
        Hidden widths of the encoder (the decoder's, reversed).
    activation : str or torch.nn.Module class, default="relu"
        Activation of every hidden layer.

    Examples
    --------
    >>> import torch
    >>> ae = Autoencoder(784, 2, (32, 32))
    >>> ae.encode(torch.zeros(5, 784)).shape, ae(torch.zeros(5, 784)).shape
    (torch.Size([5, 2]), torch.Size([5, 784]))
    """

    def __init__(
        self,
        n_features: int,
        latent_dim: int,
        hidden_layer_sizes: Sequence[int] = (200, 200, 200),
        activation: Activation = "relu",
    ) -> None:
        super().__init__()
        sizes = tuple(hidden_layer_sizes)
        self.encoder = ResidualMLP(n_features, sizes, latent_dim, activation)
        self.decoder = ResidualMLP(latent_dim, sizes[::-1], n_features, activation)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Codes ``(..., latent_dim)`` of inputs ``(..., n_features)``."""
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Reconstructions ``(..., n_features)`` of codes ``(..., latent_dim)``."""
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The reconstruction ``decode(encode(x))``, of the shape of ``x``."""
        return self.decoder(self.encoder(x))
