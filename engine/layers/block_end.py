"""What ends a hidden block (or the output): the activation, the residual add, dropout."""
from dataclasses import dataclass

import numpy as np

from ..activations import Activation


@dataclass
class BlockEnd:
    """h = dropout(act(z) + block input if residual); the output's end is a linear activation."""
    activation: Activation
    residual: bool = False  # h = a + the block's input
    dropout: float = 0.0

    def forward(self, z, block_input, rng, dtype):
        """z (B, n) -> (h, a, mask): a = act(z); mask (B, n) is None without dropout or rng."""
        a = self.activation.forward(z)
        h = a + block_input if self.residual else a
        mask = None
        if self.dropout and rng is not None:
            keep = rng.random(a.shape, dtype=dtype) >= self.dropout
            mask = np.multiply(keep, 1.0 / (1.0 - self.dropout), dtype=dtype)
            h = h * mask
        return h, a, mask

    def evaluate(self, z, block_input):
        """Eval mode (no dropout): z (B, n) -> (h, a), both (B, n)."""
        a = self.activation.forward(z)
        return (a + block_input if self.residual else a), a

    def backward(self, dh, z, a, mask):
        """dL/dh (B, n) -> (da, dz): da after the dropout mask, dz through the activation."""
        da = dh * mask if mask is not None else dh
        return da, self.activation.backward(z, a, da)
