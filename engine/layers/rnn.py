"""The plain recurrent layer: h_t = act(x_t @ W_x + h_{t-1} @ W_h + b), act tanh or relu (torch's
RNN with weight_ih = W_x.T, weight_hh = W_h.T, bias_ih = b, bias_hh = 0)."""
from ..activations import ACTIVATIONS
from .recurrent import Recurrent

NONLINEARITIES = ("tanh", "relu")


class RNN(Recurrent):
    kind = prefix = "rnn"
    activations = NONLINEARITIES
    description = "recurrent: h_t = act(x_t @ W_x + h_{t-1} @ W_h + b), tanh or relu, through time"

    def __init__(self, channels, units, seq_len, returns_sequence, nonlinearity="tanh"):
        super().__init__(channels, units, seq_len, returns_sequence)
        self.nonlinearity = ACTIVATIONS[nonlinearity]

    @classmethod
    def from_config(cls, spec, in_shape, net, ends_sequence=False):
        return cls(in_shape[-1], spec.units, in_shape[0], not ends_sequence, spec.activation)

    def step(self, t, pre, cache):
        """h_t from the step's pre-activation (B, H), kept in the cache."""
        cache.states[t] = self.nonlinearity.forward(pre)
        return cache.states[t]

    def step_backward(self, t, dh, cache, out) -> None:
        """dL/d(pre-activation) at step t into out (B, H) from dL/dh_t (B, H); relu's z > 0 exactly
        where h > 0."""
        h = cache.states[t]
        out[...] = self.nonlinearity.backward(h, h, dh)

    def settings(self) -> dict:
        return {**super().settings(), "nonlinearity": self.nonlinearity.name}
