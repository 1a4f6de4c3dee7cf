"""The module core: architecture types, build_module, parameters, modes, copies."""

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import f32, f64, nn
from tests.checks import arrays_of, check_backward, shares_storage


def test_architecture_types_are_cached_runtime_values():
    assert nn.Linear[5, 10] is nn.Linear[5, 10]
    assert nn.Linear[5, 10] is not nn.Linear[10, 5]
    assert issubclass(nn.Linear[5, 10], nn.Linear)
    assert nn.Linear[5, 10].in_features == 5 and nn.Linear[5, 10].out_features == 10
    assert repr(nn.Linear[5, 10]) == "nn.Linear[5, 10]"
    Model = tuple[nn.Linear[5, 10], nn.ReLU]  # a type alias is an ordinary value
    assert nn.is_architecture(Model)
    assert not nn.is_architecture(int)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.Linear[5], "takes 2 arguments"),
        (lambda: nn.Linear[5, 10, 3], "takes 2 arguments"),
        (lambda: nn.Linear[5, -1], "out_features must be an int >= 0"),
        (lambda: nn.Linear[5, "10"], "out_features must be an int >= 0"),
        (lambda: nn.Linear[5, 10][1, 2], "already has its arguments"),
        (lambda: nn.Linear[5.0, 10], "in_features must be an int >= 0"),  # 5.0 == 5: not cached
        (lambda: nn.Linear[True, 1], "in_features must be an int >= 0"),
    ],
)
def test_bad_architecture_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_bare_module_needs_its_arguments(dev):
    with pytest.raises(TypeError, match=r"nn.Linear needs its arguments"):
        dev.build_module(nn.Linear, f32)
    with pytest.raises(TypeError, match="not an architecture"):
        dev.build_module(int, f32)
    with pytest.raises(TypeError, match="build modules with a device"):
        nn.Linear[2, 3]()


def test_sequential_from_nested_tuples(dev):
    Model = tuple[tuple[nn.Linear[5, 10], nn.ReLU], nn.Tanh, nn.Linear[10, 2]]
    model = dev.build_module(Model, f32)
    names = [(n, t.shape) for n, t in model.named_parameters()]
    assert names == [
        ("0.0.weight", (10, 5)),
        ("0.0.bias", (10,)),
        ("2.weight", (2, 10)),
        ("2.bias", (2,)),
    ]
    assert model.num_params() == 10 * 5 + 10 + 2 * 10 + 2
    assert len(model) == 3 and isinstance(model[2], nn.Linear)
    x = dev.sample_normal((4, 5))
    l1, l2 = model[0][0], model[2]
    want = np.tanh(np.maximum(x.numpy() @ l1.weight.numpy().T + l1.bias.numpy(), 0))
    want = want @ l2.weight.numpy().T + l2.bias.numpy()
    np.testing.assert_allclose(model(x).numpy(), want, rtol=1e-5, atol=1e-6)


def test_empty_sequential_is_identity(dev):
    x = dev.sample_normal((2, 3))
    assert dev.build_module(tuple[()], f32)(x) is x


def test_sequential_names_the_failing_item(dev):
    model = dev.build_module(tuple[nn.Linear[5, 10], nn.ReLU, nn.Linear[12, 2]], f32)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"nn.Linear\[12, 2\] expects last dim 12, got 10.*"
        r"item 2 of the Sequential",
    ):
        model(dev.zeros((3, 5)))


class Mlp(nn.Module):
    l1: nn.Linear[4, 8]
    l2: nn.Linear[8, 3]
    scale: float = 2.0  # not an architecture: left alone

    def forward(self, x):
        return self.l2(self.l1(x).relu()) * self.scale


def test_custom_module_builds_its_annotated_fields(dev):
    model = dev.build_module(Mlp, f64)
    assert [n for n, _ in model.named_parameters()] == [
        "l1.weight",
        "l1.bias",
        "l2.weight",
        "l2.bias",
    ]
    assert model.l1.weight.dtype is f64
    assert model(dev.sample_normal((2, 4), dtype=f64)).shape == (2, 3)
    assert "(l1): nn.Linear[4, 8]" in repr(model)


def test_linear_layout_and_initialisation(dev):
    model = dev.build_module(nn.Linear[400, 30], f32)
    w, b = model.weight.numpy(), model.bias.numpy()
    assert w.shape == (30, 400) and b.shape == (30,)
    bound = 1 / np.sqrt(400)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.mean()) < 0.1 * bound  # uniform, centred


@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_linear_matches_torch(dev, shape):
    model = dev.build_module(nn.Linear[4, 5], f64)
    x = arrays_of(shape, 0)
    want = torch.nn.functional.linear(
        torch.from_numpy(x),
        torch.from_numpy(model.weight.numpy()),
        torch.from_numpy(model.bias.numpy()),
    )
    np.testing.assert_allclose(model(dev.tensor(x)).numpy(), want.numpy(), rtol=1e-12)


def test_linear_gradients_by_finite_differences(dev):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((5, 4)), rng.standard_normal(5)

    def linear(x_t, w_t, b_t):
        model = dev.build_module(nn.Linear[4, 5], f64)
        model.weight, model.bias = w_t, b_t
        return model(x_t)

    check_backward(dev, linear, [x, w, b])


def test_unbiased_linear_has_only_a_weight(dev):
    model = dev.build_module(nn.UnbiasedLinear[3, 2], f32)
    assert [n for n, _ in model.named_parameters()] == ["weight"]


class ModeProbe(nn.Module):
    seen: list

    def init(self, device, dtype):
        self.seen = []

    def forward(self, x):
        self.seen.append(nn.is_training())
        return x


class Outer(nn.Module):
    probe: ModeProbe

    def forward(self, x):
        return self.probe(x)


def test_call_is_inference_and_forward_mut_is_training(dev):
    model = dev.build_module(Outer, f32)
    x = dev.zeros((1,))
    model(x)
    model.forward_mut(x)  # the child called inside inherits training mode
    model(x)
    assert model.probe.seen == [False, True, False]
    assert not nn.is_training()


def test_alloc_grads_registers_every_parameter(dev):
    model = dev.build_module(tuple[nn.Linear[3, 4], nn.ReLU, nn.Linear[4, 1]], f32)
    grads = model.alloc_grads()
    unused = dev.build_module(nn.Linear[3, 4], f32)
    for name, t in model.named_parameters():
        assert grads.get(t).numpy().sum() == 0, name  # registered leaves read as zeros
    with pytest.raises(dfdx.TapeError):
        grads.get(unused.weight)
    x = dev.sample_normal((2, 3))
    grads = model.forward_mut(x.traced(grads)).sum().backward()
    assert np.abs(grads.get(model[0].weight).numpy()).sum() > 0
    model.zero_grads(grads)
    assert np.abs(grads.get(model[0].weight).numpy()).sum() == 0


def test_gradients_accumulate_over_two_batches(dev):
    model = dev.build_module(nn.Linear[3, 2], f64)
    grads = model.alloc_grads()
    x1, x2 = dev.sample_normal((4, 3), dtype=f64), dev.sample_normal((4, 3), dtype=f64)
    grads = model.forward_mut(x1.traced(grads)).sum().backward()
    grads = model.forward_mut(x2.traced(grads)).sum().backward()
    both = model.alloc_grads()
    x = dfdx.concat((x1, x2), axis=0)
    both = model.forward_mut(x.traced(both)).sum().backward()
    np.testing.assert_allclose(grads.get(model.weight).numpy(), both.get(model.weight).numpy())


def test_to_copies_and_ema_mixes(dev):
    a = dev.build_module(nn.Linear[3, 2], f32)
    b = a.to(dfdx.Cpu(seed=1))
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    assert not shares_storage(a.weight._data, b.weight._data)
    c = dfdx.Cpu(seed=2).build_module(nn.Linear[3, 2], f32)  # on b's device
    before = b.weight.numpy()
    b.ema(c, 0.9)
    np.testing.assert_allclose(b.weight.numpy(), before * 0.9 + c.weight.numpy() * 0.1, rtol=1e-6)
    with pytest.raises(ValueError, match="ema"):
        b.ema(dev.build_module(nn.Linear[3, 3], f32), 0.5)


def test_every_parameter_gets_its_gradient_through_a_sequential(dev):
    """The parameters join the input's tape for the call, so an op on a parameter before it
    meets the input (Linear's transpose) is recorded: compare with finite differences."""
    model = dev.build_module(tuple[nn.Linear[3, 4], nn.Tanh, nn.Linear[4, 2]], f64)
    x = dev.sample_normal((5, 3), dtype=f64)
    grads = model.alloc_grads()
    model(x.traced(grads)).square().sum().backward()
    assert all(not p.is_traced for p in model.parameters())  # untraced again after the call
    eps = 1e-6
    for name, p in model.named_parameters():
        base = p.numpy()
        want = np.zeros_like(base)
        for i in np.ndindex(base.shape):
            values = []
            for step in (eps, -eps):
                moved = base.copy()
                moved[i] += step
                p._data = dev._from_numpy(moved)
                values.append(model(x).square().sum().item())
            want[i] = (values[0] - values[1]) / (2 * eps)
        p._data = dev._from_numpy(base)
        np.testing.assert_allclose(grads.get(p).numpy(), want, rtol=1e-6, atol=1e-8, err_msg=name)


def test_parameters_get_gradients_without_alloc_grads(dev):
    model = dev.build_module(nn.Linear[3, 2], f32)
    grads = model(dev.sample_normal((4, 3)).trace()).sum().backward()
    assert grads.get(model.weight).shape == (2, 3)


def test_sequential_of_a_tuple_is_the_tuple_architecture(dev):
    spelled = dev.build_module(nn.Sequential[tuple[nn.Linear[3, 4], nn.ReLU]], f32)
    assert isinstance(spelled, nn.Sequential) and len(spelled) == 2
    assert [n for n, _ in spelled.named_parameters()] == ["0.weight", "0.bias"]
    with pytest.raises(TypeError, match="one tuple"):
        nn.Sequential[nn.Linear[3, 4]]
