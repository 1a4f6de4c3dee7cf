"""Combinators: Residual, GeneralizedResidual, SplitInto, AddInto, Repeated."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import dfdx_py as dfdx
from dfdx_py import f32, f64, nn
from dfdx_py.nn.combinators import AddInto, GeneralizedResidual, Repeated, Residual, SplitInto
from tests.checks import arrays_of, check_module_gradients


def _linear(model: Any, x: np.ndarray) -> np.ndarray:
    return x @ model.weight.numpy().T + model.bias.numpy()


# -- architecture arguments ---------------------------------------------------------------------


def test_combinator_types_are_cached_and_print_their_arguments():
    assert Residual[nn.Linear[3, 3]] is Residual[nn.Linear[3, 3]]
    assert Repeated[nn.Linear[3, 3], 2] is not Repeated[nn.Linear[3, 3], 3]
    assert repr(Residual[nn.ReLU]) == "nn.Residual[nn.ReLU]"
    assert repr(AddInto[nn.Linear[2, 5], nn.Linear[3, 5]]) == (
        "nn.AddInto[nn.Linear[2, 5], nn.Linear[3, 5]]"
    )
    assert Repeated[nn.Tanh, 4].repeats == 4 and Repeated[nn.Tanh, 4].item_arch is nn.Tanh
    assert nn.is_architecture(tuple[Residual[nn.ReLU], SplitInto[nn.ReLU, nn.Tanh]])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Residual[int], r"nn.Residual: F must be an architecture.*got int"),
        (lambda: Residual[nn.ReLU, nn.ReLU], r"nn.Residual takes 1 architecture \(F\), got 2"),
        (lambda: Residual[nn.Linear], r"F is nn.Linear, which needs its arguments"),
        (lambda: Residual[tuple[nn.ReLU, nn.Linear]], r"needs its arguments"),
        (lambda: Residual[nn.ReLU][nn.ReLU], "already has its arguments"),
        (lambda: GeneralizedResidual[nn.ReLU], r"takes 2 architectures \(F, R\), got 1"),
        (lambda: GeneralizedResidual[nn.ReLU, 3], r"R must be an architecture.*got 3"),
        (lambda: SplitInto[nn.ReLU], r"nn.SplitInto takes 2 or more architectures, got 1"),
        (
            lambda: SplitInto[tuple[nn.ReLU, nn.Tanh]],
            r"write SplitInto\[A, B\], not SplitInto\[tuple\[A, B\]\]",
        ),
        (lambda: AddInto[nn.ReLU, "x"], r"nn.AddInto: architecture 1 must be an architecture"),
        (lambda: Repeated[nn.ReLU], r"nn.Repeated takes 2 arguments \(A, N\), got 1"),
        (lambda: Repeated[nn.ReLU, -1], r"N must be an int >= 0, got -1"),
        (lambda: Repeated[nn.ReLU, "2"], r"N must be an int >= 0, got '2'"),
        (lambda: Repeated[nn.ReLU, True], r"N must be an int >= 0, got True"),
        (lambda: Repeated[3, 2], r"A must be an architecture"),
    ],
)
def test_bad_architecture_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_bare_combinator_needs_its_arguments(dev):
    with pytest.raises(TypeError, match=r"nn.Residual needs its arguments: nn.Residual\[F\]"):
        dev.build_module(Residual, f32)
    with pytest.raises(TypeError, match=r"nn.Repeated needs its arguments: nn.Repeated\[A, N\]"):
        dev.build_module(Repeated, f32)


# -- Residual and GeneralizedResidual -----------------------------------------------------------


def test_residual_matches_dfdx_example(dev):
    model = dev.build_module(Residual[nn.ReLU], f32)
    y = model(dev.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]))
    np.testing.assert_array_equal(y.numpy(), [-2.0, -1.0, 0.0, 2.0, 4.0])
    assert y.dtype is f32


def test_residual_adds_its_input(dev):
    model = dev.build_module(Residual[tuple[nn.Linear[3, 3], nn.Tanh]], f64)
    assert [n for n, _ in model.named_parameters()] == ["f.0.weight", "f.0.bias"]
    x = arrays_of((4, 3), 0)
    want = x + np.tanh(_linear(model.f[0], x))
    np.testing.assert_allclose(model(dev.tensor(x)).numpy(), want, rtol=1e-12)


def test_residual_needs_a_shape_keeping_module(dev):
    model = dev.build_module(Residual[nn.Linear[3, 4]], f32)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"nn.Residual\[nn.Linear\[3, 4\]\]: F must keep the shape of its input: "
        r"x has shape \(2, 3\), F\(x\) has shape \(2, 4\)",
    ):
        model(dev.zeros((2, 3)))


def test_residual_takes_a_tensor(dev):
    model = dev.build_module(Residual[nn.ReLU], f32)
    with pytest.raises(TypeError, match=r"nn.Residual\[nn.ReLU\] takes a tensor, got tuple"):
        model((dev.zeros((2,)), dev.zeros((2,))))


def test_residual_gradients(dev):
    model = dev.build_module(Residual[tuple[nn.Linear[3, 3], nn.Tanh]], f64)
    check_module_gradients(dev, model, [arrays_of((2, 3), 1)])


def test_generalized_residual_matches_dfdx_example(dev):
    model = dev.build_module(GeneralizedResidual[nn.ReLU, nn.Square], f32)
    y = model(dev.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]))
    np.testing.assert_array_equal(y.numpy(), [4.0, 1.0, 0.0, 2.0, 6.0])


def test_generalized_residual_adds_both_branches(dev):
    Block = GeneralizedResidual[tuple[nn.Linear[3, 4], nn.ReLU], nn.Linear[3, 4]]
    model = dev.build_module(Block, f64)
    assert [n for n, _ in model.named_parameters()] == [
        "f.0.weight",
        "f.0.bias",
        "r.weight",
        "r.bias",
    ]
    x = arrays_of((5, 3), 2)
    want = np.maximum(_linear(model.f[0], x), 0) + _linear(model.r, x)
    np.testing.assert_allclose(model(dev.tensor(x)).numpy(), want, rtol=1e-12)
    check_module_gradients(dev, model, [arrays_of((2, 3), 3)])


def test_generalized_residual_branches_must_agree(dev):
    model = dev.build_module(GeneralizedResidual[nn.Linear[3, 4], nn.Linear[3, 5]], f32)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"F\(x\) and R\(x\) must have the same shape: F\(x\) has shape \(2, 4\), "
        r"R\(x\) has shape \(2, 5\)",
    ):
        model(dev.zeros((2, 3)))


# -- SplitInto and AddInto ---------------------------------------------------------------------


def test_split_into_returns_a_tuple(dev):
    model = dev.build_module(SplitInto[nn.Linear[4, 2], nn.Linear[4, 1], nn.Tanh], f64)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert len(model) == 3 and isinstance(model[1], nn.Linear)
    x = arrays_of((3, 4), 4)
    out = model(dev.tensor(x))
    assert isinstance(out, tuple) and [o.shape for o in out] == [(3, 2), (3, 1), (3, 4)]
    np.testing.assert_allclose(out[0].numpy(), _linear(model[0], x), rtol=1e-12)
    np.testing.assert_allclose(out[1].numpy(), _linear(model[1], x), rtol=1e-12)
    np.testing.assert_allclose(out[2].numpy(), np.tanh(x), rtol=1e-12)


def test_split_into_gradients_flow_from_every_output(dev):
    model = dev.build_module(SplitInto[nn.Linear[3, 2], tuple[nn.Linear[3, 2], nn.Sigmoid]], f64)
    check_module_gradients(dev, model, [arrays_of((2, 3), 5)])


def test_add_into_matches_dfdx_shapes(dev):
    model = dev.build_module(AddInto[nn.Linear[2, 5], nn.Linear[3, 5]], f64)
    assert model((dev.zeros((2,), dtype=f64), dev.zeros((3,), dtype=f64))).shape == (5,)
    a, b = arrays_of((3, 2), 6), arrays_of((3, 3), 7)
    y = model((dev.tensor(a), dev.tensor(b)))
    np.testing.assert_allclose(y.numpy(), _linear(model[0], a) + _linear(model[1], b), rtol=1e-12)


def test_add_into_of_three_in_a_sequential(dev):
    Model = tuple[AddInto[nn.Linear[2, 3], nn.Linear[4, 3], nn.Linear[1, 3]], nn.ReLU]
    model = dev.build_module(Model, f64)
    assert [n for n, _ in model.named_parameters()][:2] == ["0.0.weight", "0.0.bias"]
    check_module_gradients(
        dev, model, [arrays_of((2, 2), 8), arrays_of((2, 4), 9), arrays_of((2, 1), 10)]
    )


def test_add_into_rejects_a_wrong_input(dev):
    model = dev.build_module(AddInto[nn.Linear[2, 5], nn.Linear[3, 5]], f32)
    with pytest.raises(TypeError, match=r"takes a tuple of 2 inputs.*got Tensor of shape \(4, 2\)"):
        model(dev.zeros((4, 2)))
    with pytest.raises(
        TypeError, match=r"takes a tuple of 2 inputs.*got 3: \(\(2,\), \(3,\), \(3,\)\)"
    ):
        model((dev.zeros((2,)), dev.zeros((3,)), dev.zeros((3,))))
    bad = dev.build_module(AddInto[nn.Linear[2, 5], nn.Linear[3, 4]], f32)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"nn.AddInto\[nn.Linear\[2, 5\], nn.Linear\[3, 4\]\]: the outputs must have the "
        r"same shape.*gave outputs \(\(5,\), \(4,\)\)",
    ):
        bad((dev.zeros((2,)), dev.zeros((3,))))


def test_split_into_feeds_add_into(dev):
    """A tuple output flows through a Sequential into a module that takes a tuple."""
    Model = tuple[
        SplitInto[nn.Linear[3, 4], tuple[nn.Linear[3, 2], nn.Tanh]],
        AddInto[nn.Linear[4, 5], nn.Linear[2, 5]],
    ]
    model = dev.build_module(Model, f64)
    x = arrays_of((2, 3), 13)
    a, b = model[0], model[1]
    hidden = _linear(a[0], x), np.tanh(_linear(a[1][0], x))
    want = _linear(b[0], hidden[0]) + _linear(b[1], hidden[1])
    np.testing.assert_allclose(model(dev.tensor(x)).numpy(), want, rtol=1e-12)
    check_module_gradients(dev, model, [x])


# -- Repeated ---------------------------------------------------------------------------------


def test_repeated_builds_independent_copies(dev):
    model = dev.build_module(Repeated[tuple[nn.Linear[3, 3], nn.ReLU], 5], f64)
    assert len(model) == 5
    names = [n for n, _ in model.named_parameters()]
    assert names[:2] == ["0.0.weight", "0.0.bias"] and names[-1] == "4.0.bias"
    assert model.num_params() == 5 * (9 + 3)
    weights = [m[0].weight.numpy() for m in model]
    for i in range(5):
        for j in range(i):
            assert not np.array_equal(weights[i], weights[j])
    x = dev.tensor(arrays_of((2, 3), 11))
    step = x
    for m in model:
        step = m(step)
    np.testing.assert_array_equal(model(x).numpy(), step.numpy())


def test_repeated_copies_get_their_own_gradients(dev):
    model = dev.build_module(Repeated[tuple[nn.Linear[2, 2], nn.Tanh], 3], f64)
    check_module_gradients(dev, model, [arrays_of((2, 2), 12)])


def test_repeated_zero_times_is_identity(dev):
    model = dev.build_module(Repeated[nn.Linear[3, 3], 0], f32)
    x = dev.sample_normal((2, 3))
    assert model(x) is x and model.num_params() == 0


def test_repeated_names_the_failing_copy(dev):
    model = dev.build_module(Repeated[nn.Linear[3, 4], 2], f32)
    with pytest.raises(
        dfdx.ShapeError, match=r"expects last dim 3, got 4.*copy 1 of the nn.Repeated"
    ):
        model(dev.zeros((2, 3)))


# -- combinators in a model -------------------------------------------------------------------


class ModeProbe(nn.Module):
    seen: list

    def init(self, device, dtype):
        self.seen = []

    def forward(self, x):
        self.seen.append(nn.is_training())
        return x


def test_training_mode_reaches_the_children(dev):
    model = dev.build_module(GeneralizedResidual[ModeProbe, Repeated[ModeProbe, 1]], f32)
    x = dev.zeros((2,))
    model(x)
    model.forward_mut(x)
    assert model.f.seen == [False, True] and model.r[0].seen == [False, True]


def test_design_example_model_trains(dev):
    Model = tuple[
        tuple[nn.Linear[5, 10], nn.ReLU],
        Residual[tuple[nn.Linear[10, 10], nn.Tanh]],
        nn.Linear[10, 2],
    ]
    model = dev.build_module(Model, f32)
    assert [n for n, _ in model.named_parameters()][2:4] == ["1.f.0.weight", "1.f.0.bias"]
    grads = model.alloc_grads()
    y = model.forward_mut(dev.sample_normal((4, 5)).traced(grads))
    assert y.shape == (4, 2) and y.dtype is f32
    grads = y.square().mean().backward()
    for name, p in model.named_parameters():
        assert np.abs(grads.get(p).numpy()).sum() > 0, name
