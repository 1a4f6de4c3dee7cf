import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import dfdx_py as dfdx
from dfdx_py.devices.cpu import Cpu
from dfdx_py.ops import matmul
from tests.checks import arrays_of, check_op


class OtherCpu(Cpu):
    """A device that does not share memory with the Cpu, to provoke DeviceError."""

    @property
    def key(self):
        return ("cpu", "other")


side = st.integers(1, 4)

# each form: the operand shapes from the dims (b, s, m, k, n)
FORMS = {
    "(K,)@(K,N)": lambda b, s, m, k, n: ((k,), (k, n)),
    "(M,K)@(K,)": lambda b, s, m, k, n: ((m, k), (k,)),
    "(M,K)@(K,N)": lambda b, s, m, k, n: ((m, k), (k, n)),
    "(B,M,K)@(K,N)": lambda b, s, m, k, n: ((b, m, k), (k, n)),
    "(B,M,K)@(B,K,N)": lambda b, s, m, k, n: ((b, m, k), (b, k, n)),
    "(B,S,M,K)@(B,S,K,N)": lambda b, s, m, k, n: ((b, s, m, k), (b, s, k, n)),
}


@pytest.mark.parametrize("form", list(FORMS))
@settings(max_examples=8)
@given(dims=st.tuples(side, side, side, side, side), seed=st.integers(0, 1000))
def test_matmul_forms(dev, form, dims, seed):
    sa, sb = FORMS[form](*dims)
    a, b = arrays_of(sa, seed), arrays_of(sb, seed + 1)
    check_op(dev, matmul, [a, b], np_fn=np.matmul, torch_fn=torch.matmul)
    check_op(dev, lambda x, y: x @ y, [a, b], np_fn=np.matmul, torch_fn=torch.matmul, grad=False)


def test_matmul_values(dev):
    a = dev.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dfdx.f64)
    b = dev.tensor([[5.0, 6.0], [7.0, 8.0]], dtype=dfdx.f64)
    assert (a @ b).numpy().tolist() == [[19.0, 22.0], [43.0, 50.0]]
    assert (dev.tensor([1.0, 1.0]) @ b.to_dtype(dfdx.f32)).numpy().tolist() == [12.0, 14.0]
    assert (a @ dev.tensor([1.0, -1.0], dtype=dfdx.f64)).numpy().tolist() == [-1.0, -1.0]


def test_matmul_grads_known(dev):
    # d/da sum(a @ b) = ones @ b^T; d/db = a^T @ ones
    grads = dfdx.Gradients()
    a = dev.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dfdx.f64)
    b = dev.tensor([[5.0, 6.0], [7.0, 8.0]], dtype=dfdx.f64)
    (a.trace(grads) @ b.trace(grads)).sum().backward()
    assert grads.get(a).numpy().tolist() == [[11.0, 15.0], [11.0, 15.0]]
    assert grads.get(b).numpy().tolist() == [[4.0, 4.0], [6.0, 6.0]]


def test_matmul_broadcast_form_sums_weight_grad(dev):
    a = arrays_of((3, 2, 4), 0)
    b = arrays_of((4, 5), 1)
    grads = dfdx.Gradients()
    bt = dev.tensor(b, dtype=dfdx.f64)
    (dev.tensor(a, dtype=dfdx.f64) @ bt.trace(grads)).sum().backward()
    want = a.reshape(6, 4).T @ np.ones((6, 5))
    np.testing.assert_allclose(grads.get(bt).numpy(), want, rtol=1e-12)


def test_matmul_one_side_traced(dev):
    a = dev.tensor(arrays_of((3, 4), 0), dtype=dfdx.f64)
    b = dev.tensor(arrays_of((4, 2), 1), dtype=dfdx.f64)
    grads = dfdx.Gradients()
    (a @ b.trace(grads)).sum().backward()
    assert grads.get(b).shape == (4, 2)
    assert a not in grads


def test_matmul_cpu_kernel_non_contiguous_operands():
    # transposed views, permuted batches and broadcast (zero-stride) gradients
    from dfdx_py.ops.matmul import MATMUL

    kernel = MATMUL.kernel(Cpu())
    a = arrays_of((5, 3), 0)
    b = arrays_of((4, 5), 1)
    np.testing.assert_allclose(kernel.forward(a.T, b.T), a.T @ b.T, rtol=1e-12)
    g = np.broadcast_to(np.float64(2.0), (3, 4))
    ga, gb = kernel.backward(a.T, b.T, g, [True, True])
    np.testing.assert_allclose(ga, g @ b, rtol=1e-12)
    np.testing.assert_allclose(gb, a @ g, rtol=1e-12)
    x = arrays_of((3, 2, 4, 5), 2).transpose(1, 0, 2, 3)  # (2, 3, 4, 5), not contiguous
    y = arrays_of((2, 3, 5, 2), 3)
    np.testing.assert_allclose(kernel.forward(x, y), np.matmul(x, y), rtol=1e-12)
    gy = np.broadcast_to(np.float64(1.0), (2, 3, 4, 2))
    gx, _ = kernel.backward(x, y, gy, [True, False])
    np.testing.assert_allclose(gx, np.matmul(gy, np.swapaxes(y, -1, -2)), rtol=1e-12)


@pytest.mark.parametrize("dtype", [dfdx.f32, dfdx.f64])
def test_matmul_keeps_dtype(dev, dtype):
    out = dev.ones((2, 3), dtype=dtype) @ dev.ones((3, 4), dtype=dtype)
    assert out.dtype is dtype
    assert out.numpy().dtype == dtype.numpy
    assert out.numpy().tolist() == [[3.0] * 4] * 2


def test_matmul_inner_dims_differ(dev):
    with pytest.raises(
        dfdx.ShapeError, match=r"matmul: inner dims differ: \(64, 512\) @ \(256, 10\): 512 != 256"
    ):
        dev.zeros((64, 512)) @ dev.zeros((256, 10))
    with pytest.raises(dfdx.ShapeError, match=r"inner dims differ: \(3,\) @ \(4, 2\): 3 != 4"):
        matmul(dev.zeros((3,)), dev.zeros((4, 2)))
    with pytest.raises(dfdx.ShapeError, match=r"inner dims differ: \(2, 3\) @ \(4,\): 3 != 4"):
        matmul(dev.zeros((2, 3)), dev.zeros((4,)))
    with pytest.raises(
        dfdx.ShapeError, match=r"inner dims differ: \(2, 2, 3\) @ \(2, 4, 5\): 3 != 4"
    ):
        matmul(dev.zeros((2, 2, 3)), dev.zeros((2, 4, 5)))


def test_matmul_batch_dims_differ(dev):
    with pytest.raises(
        dfdx.ShapeError, match=r"matmul: batch dims differ: \(2, 3, 4\) @ \(5, 4, 6\): axis 0"
    ):
        dev.zeros((2, 3, 4)) @ dev.zeros((5, 4, 6))
    with pytest.raises(dfdx.ShapeError, match=r"batch dims differ: .*axis 1: 3 != 1"):
        dev.zeros((2, 3, 4, 5)) @ dev.zeros((2, 1, 5, 6))  # never broadcasts


@pytest.mark.parametrize(
    "sa, sb",
    [
        ((3,), (3,)),
        ((), (3, 4)),
        ((2, 3, 4), (4,)),
        ((3, 4), (2, 4, 5)),
        ((2, 3, 4), (2, 2, 4, 5)),
        ((1, 2, 3, 4, 5), (1, 2, 3, 5, 6)),
    ],
)
def test_matmul_unsupported_forms(dev, sa, sb):
    with pytest.raises(dfdx.ShapeError, match=r"matmul: unsupported shapes .* the forms are"):
        matmul(dev.zeros(sa), dev.zeros(sb))


def test_matmul_dot_product_hint(dev):
    with pytest.raises(dfdx.ShapeError, match=r"\(3,\) @ \(3,\).*\(a \* b\)\.sum\(\)"):
        dev.zeros((3,)) @ dev.zeros((3,))


def test_matmul_dtype_errors(dev):
    with pytest.raises(dfdx.DTypeError, match="matmul: dtypes differ: f32 and f64"):
        dev.zeros((2, 2)) @ dev.zeros((2, 2), dtype=dfdx.f64)
    ints = dev.tensor(np.ones((2, 2), dtype=np.int64))
    with pytest.raises(dfdx.DTypeError, match="matmul: not defined for i64"):
        ints @ ints


def test_matmul_device_error(dev):
    if dev.kind != "cpu":
        pytest.skip("the stand-in device is a Cpu")
    other = OtherCpu()
    with pytest.raises(dfdx.DeviceError, match="matmul: tensors on different devices"):
        dev.zeros((2, 2)) @ other.zeros((2, 2))


def test_matmul_half_dtypes(dev):
    for dtype in (dfdx.f16, dfdx.bf16):
        a = dev.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), dtype=dtype)
        out = a @ a
        assert out.dtype is dtype
        np.testing.assert_allclose(out.numpy().astype(np.float64), [[7, 10], [15, 22]])
