"""Dropout and DropoutOneIn: identity in inference, dropping and rescaling in training."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py import f32, f64, nn
from dfdx_py.nn.dropout import Dropout, DropoutOneIn


def test_inference_is_the_identity(dev):
    model = dev.build_module(Dropout, f32)
    x = dev.sample_normal((10, 10))
    assert model(x) is x
    traced = x.trace()
    assert model(traced) is traced  # even on a traced input: model(x) is inference
    assert model.num_params() == 0


@pytest.mark.parametrize(("arch", "p"), [(Dropout, 0.5), (DropoutOneIn[4], 0.25)])
def test_training_drops_about_p_and_rescales(dev, arch, p):
    model = dev.build_module(arch, f32)
    assert model.p == p
    x = dev.sample_uniform((200, 100), 1.0, 2.0)
    y = model.forward_mut(x.trace()).numpy()
    kept = y != 0
    assert abs(1 - kept.mean() - p) < 0.01  # 20000 draws: 4 standard deviations or so
    np.testing.assert_allclose(y[kept], x.numpy()[kept] / (1 - p), rtol=1e-6)


def test_training_on_an_untraced_input_changes_nothing(dev):
    """The dropout op is active only on a traced tensor (dfdx: no tape, no training)."""
    x = dev.sample_normal((4, 4))
    assert dev.build_module(Dropout, f32).forward_mut(x) is x


def test_the_mask_is_reproducible_per_device_seed():
    """The mask is drawn from the input's device generator."""

    def masks(seed: int) -> list[np.ndarray]:
        dev = dfdx.Cpu(seed=seed)
        model = dev.build_module(tuple[nn.Linear[8, 8], Dropout], f32)
        x = dev.tensor(np.random.default_rng(99).standard_normal((16, 8)), dtype=f32)
        return [model.forward_mut(x.trace()).numpy() == 0 for _ in range(2)]

    a, b, c = masks(0), masks(0), masks(1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert (a[0] != a[1]).any()  # a new mask on every call
    assert (a[0] != c[0]).any()  # another seed, another mask


def test_gradient_is_the_mask_over_keep_probability(dev):
    model = dev.build_module(DropoutOneIn[5], f64)
    x = dev.sample_normal((30, 30), dtype=f64)
    grads = dfdx.Gradients()
    y = model.forward_mut(x.trace(grads))
    y.sum().backward()
    kept = y.numpy() != 0
    np.testing.assert_allclose(grads.get(x).numpy(), kept / 0.8)


def test_dropout_inside_a_sequential_only_in_training(dev):
    model = dev.build_module(tuple[nn.Linear[6, 50], Dropout, nn.Linear[50, 2]], f64)
    x = dev.sample_normal((3, 6), dtype=f64)
    inference = model(x.trace()).numpy()
    np.testing.assert_array_equal(model(x).numpy(), inference)
    assert (model.forward_mut(x.trace()).numpy() != inference).any()


class Dropout10(Dropout):
    p: ClassVar[float] = 0.1


def test_a_subclass_sets_its_own_p(dev):
    model = dev.build_module(Dropout10, f32)
    y = model.forward_mut(dev.ones((100, 100)).trace()).numpy()
    assert abs((y == 0).mean() - 0.1) < 0.01


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DropoutOneIn[0], r"N must be an int >= 2 \(p = 1/N < 1\), got 0"),
        (lambda: DropoutOneIn[1], "N must be an int >= 2"),
        (lambda: DropoutOneIn[0.5], "n must be an int >= 0"),
        (lambda: DropoutOneIn[2, 3], "takes 1 arguments"),
        (lambda: Dropout[2], "takes 0 arguments"),
    ],
)
def test_bad_architecture_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()
