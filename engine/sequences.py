"""Seeded sequence datasets for recurrent nets: inputs (n, T, channels), and targets (n,) for a
many-to-one set or (n, T) for a many-to-many one. All randomness comes from the rng passed in;
`noise` is on the points sets' scale (0..50) and divided by 100."""
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Arrays = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class SequenceSpec:
    """A registered sequence set; make(n, seq_len, noise, rng) -> (x (n, T, C) float64, y)."""
    name: str
    description: str
    task: str
    max_classes: int
    channels: tuple  # the name of each input channel
    many_to_many: bool  # a target per time step, else one per sequence
    make: Callable[[int, int, float, np.random.Generator], Arrays]
    input_kind: str = "sequence"


def _remember_first(n: int, seq_len: int, noise: float, rng: np.random.Generator) -> Arrays:
    """x_t uniform in {−1, +1}; the label is 1 when x_1 = +1: only the first step matters."""
    x = rng.choice([-1.0, 1.0], size=(n, seq_len, 1))
    return x, (x[:, 0, 0] > 0).astype(np.int64)


def _adding(n: int, seq_len: int, noise: float, rng: np.random.Generator) -> Arrays:
    """Hochreiter & Schmidhuber's adding problem: values uniform in [0, 1], one marked step in
    each half; the target is the sum of the two marked values."""
    values = rng.uniform(0.0, 1.0, (n, seq_len))
    half = seq_len // 2
    first = rng.integers(0, half, n)
    second = rng.integers(half, seq_len, n)
    marks = np.zeros((n, seq_len))
    rows = np.arange(n)
    marks[rows, first] = marks[rows, second] = 1.0
    return np.stack([values, marks], axis=2), values[rows, first] + values[rows, second]


def _sine(n: int, seq_len: int, noise: float, rng: np.random.Generator) -> Arrays:
    """Sine waves of random frequency (0.1 to 0.6 radians a step) and phase, plus gaussian noise
    of std noise/100; the target at each step is the next value."""
    frequency = rng.uniform(0.1, 0.6, (n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    wave = np.sin(frequency * np.arange(seq_len + 1) + phase)
    wave += rng.normal(0.0, noise / 100, wave.shape)
    return wave[:, :seq_len, None], wave[:, 1:]


SEQUENCES: dict[str, SequenceSpec] = {spec.name: spec for spec in [
    SequenceSpec("remember_first", "Sequences of ±1; the label is the first value: the longest "
                 "dependency there is (chance 50%).", "classification", 2, ("x",), False, _remember_first),
    SequenceSpec("adding", "The adding problem: sum the two marked values of a sequence (always "
                 "answering 1 scores 1/6 ≈ 0.167).", "regression", 1, ("value", "marker"), False, _adding),
    SequenceSpec("sine", "Noisy sine waves: predict the next value at every step.", "regression", 1,
                 ("x",), True, _sine),
]}


def make_sequences(name: str, n: int, seq_len: int, noise: float, rng: np.random.Generator) -> Arrays:
    """(x (n, T, C), y (n,) or (n, T)) for the named set."""
    return SEQUENCES[name].make(n, seq_len, noise, rng)
