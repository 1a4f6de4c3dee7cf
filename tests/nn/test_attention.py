"""MultiHeadAttention against PyTorch with the same weights, and its gradients."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import f32, f64
from dfdx_py.nn.attention import MultiHeadAttention
from tests.checks import arrays_of, check_module_gradients

TORCH = {f64: torch.float64, f32: torch.float32}


def _t(x: Any, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.from_numpy(np.array(x, copy=True)).to(dtype)


def torch_mha(mha: Any, q, k, v, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """PyTorch's own multi-head attention with ``mha``'s weights (separate projections)."""
    w = {name: _t(p.numpy(), dtype) for name, p in mha.named_parameters()}
    q, k, v = (_t(a, dtype) for a in (q, k, v))
    batched = q.ndim == 3
    if batched:  # the functional form wants (S, B, M)
        q, k, v = (a.transpose(0, 1) for a in (q, k, v))
    out, _ = torch.nn.functional.multi_head_attention_forward(
        q,
        k,
        v,
        mha.embed_dim,
        mha.num_heads,
        None,
        torch.cat([w["w_q.bias"], w["w_k.bias"], w["w_v.bias"]]),
        None,
        None,
        False,
        0.0,
        w["w_o.weight"],
        w["w_o.bias"],
        training=False,
        need_weights=False,
        use_separate_proj_weight=True,
        q_proj_weight=w["w_q.weight"],
        k_proj_weight=w["w_k.weight"],
        v_proj_weight=w["w_v.weight"],
    )
    return out.transpose(0, 1) if batched else out


def reference_mha(mha: Any, q, k, v, params: dict[str, torch.Tensor] | None = None):
    """A hand-written torch reference: per head softmax(Q Kᵀ / √(K/H)) V, heads
    concatenated, then w_o. Works for K, V != M, where PyTorch's module does not."""
    w = params or {name: _t(p.numpy()) for name, p in mha.named_parameters()}
    h = mha.num_heads

    def proj(x, name):
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    def heads(x):  # (..., S, D) -> (..., H, S, D/H)
        return x.reshape(*x.shape[:-1], h, x.shape[-1] // h).transpose(-3, -2)

    qh, kh, vh = heads(proj(q, "w_q")), heads(proj(k, "w_k")), heads(proj(v, "w_v"))
    weights = torch.softmax(qh @ kh.transpose(-2, -1) / np.sqrt(mha.k_dim // h), dim=-1)
    tokens = (weights @ vh).transpose(-3, -2)
    tokens = tokens.reshape(*tokens.shape[:-2], mha.v_dim)
    return proj(tokens, "w_o")


CASES = {
    "self-unbatched": ((5, 8), None),
    "self-batched": ((3, 5, 8), None),
    "cross-unbatched": ((3, 8), (4, 8)),
    "cross-batched": ((5, 3, 8), (5, 4, 8)),
}


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_mha_matches_torch(dev, case, dtype):
    q_shape, kv_shape = CASES[case]
    mha = dev.build_module(MultiHeadAttention[8, 2], dtype)
    q = arrays_of(q_shape, 0)
    if kv_shape is None:
        y = mha(dev.tensor(q, dtype=dtype))
        k = v = q
    else:
        k, v = arrays_of(kv_shape, 1), arrays_of(kv_shape, 2)
        y = mha(tuple(dev.tensor(a, dtype=dtype) for a in (q, k, v)))
    assert y.shape == q_shape and y.dtype is dtype
    want = torch_mha(mha, q, k, v, TORCH[dtype]).detach().numpy()
    rtol, atol = (1e-12, 1e-13) if dtype is f64 else (1e-5, 1e-6)
    np.testing.assert_allclose(y.numpy(), want, rtol=rtol, atol=atol)


@pytest.mark.parametrize("batched", [False, True])
def test_mha_with_other_key_and_value_widths(dev, batched):
    mha = dev.build_module(MultiHeadAttention[8, 2, 6, 4], f64)
    assert [(n, p.shape) for n, p in mha.named_parameters()] == [
        ("w_q.weight", (6, 8)),
        ("w_q.bias", (6,)),
        ("w_k.weight", (6, 8)),
        ("w_k.bias", (6,)),
        ("w_v.weight", (4, 8)),
        ("w_v.bias", (4,)),
        ("w_o.weight", (8, 4)),
        ("w_o.bias", (8,)),
    ]
    lead = (2,) if batched else ()
    q, k, v = arrays_of((*lead, 3, 8), 3), arrays_of((*lead, 7, 8), 4), arrays_of((*lead, 7, 8), 5)
    y = mha(tuple(dev.tensor(a) for a in (q, k, v)))
    want = reference_mha(mha, _t(q), _t(k), _t(v)).numpy()
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-12, atol=1e-13)


def test_hand_written_reference_agrees_with_torch(dev):
    """The reference used above is itself PyTorch's attention when K == V == M."""
    mha = dev.build_module(MultiHeadAttention[6, 3], f64)
    q, k = arrays_of((2, 4, 6), 6), arrays_of((2, 5, 6), 7)
    want = torch_mha(mha, q, k, k).detach().numpy()
    got = reference_mha(mha, _t(q), _t(k), _t(k)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


def test_mha_gradients_by_finite_differences(dev):
    mha = dev.build_module(MultiHeadAttention[4, 2], f64)
    inputs = [arrays_of((2, 3, 4), 8), arrays_of((2, 2, 4), 9), arrays_of((2, 2, 4), 10)]
    check_module_gradients(dev, mha, inputs)


def test_self_attention_gradients_sum_over_q_k_and_v(dev):
    """``mha(x)`` uses x three times: its gradient collects all three paths."""
    mha = dev.build_module(MultiHeadAttention[4, 2, 2, 6], f64)
    check_module_gradients(dev, mha, [arrays_of((3, 4), 11)])


def test_mha_gradients_match_torch_autograd(dev):
    mha = dev.build_module(MultiHeadAttention[8, 4], f64)
    q, k, v = arrays_of((2, 3, 8), 12), arrays_of((2, 5, 8), 13), arrays_of((2, 5, 8), 14)
    grads = mha.alloc_grads()
    tensors = [dev.tensor(a, dtype=f64) for a in (q, k, v)]
    y = mha.forward_mut(tuple(t.trace(grads) for t in tensors))
    y.square().mean().backward()

    params = {n: _t(p.numpy()).requires_grad_() for n, p in mha.named_parameters()}
    inputs = [_t(a).requires_grad_() for a in (q, k, v)]
    reference_mha(mha, *inputs, params=params).square().mean().backward()
    for name, p in mha.named_parameters():
        np.testing.assert_allclose(
            grads.get(p).numpy(), params[name].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )
    for i, (t, want) in enumerate(zip(tensors, inputs, strict=True)):
        np.testing.assert_allclose(
            grads.get(t).numpy(), want.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=f"input {i}"
        )


def test_only_the_traced_input_needs_to_be_traced(dev):
    """dfdx's form: q traced, k and v plain; every parameter still gets a gradient."""
    mha = dev.build_module(MultiHeadAttention[12, 4], f32)
    q = dev.sample_normal((2, 3, 12)).trace()
    k, v = dev.sample_normal((2, 4, 12)), dev.sample_normal((2, 4, 12))
    grads = mha((q, k, v)).square().mean().backward()
    for name, p in mha.named_parameters():
        assert np.abs(grads.get(p).numpy()).sum() > 0, name


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: MultiHeadAttention[8, 3],
            r"nn.MultiHeadAttention: num_heads H=3 must divide "
            r"embed_dim M=8, k_dim K=8 and v_dim V=8",
        ),
        (lambda: MultiHeadAttention[8, 2, 6, 3], r"H=2 must divide embed_dim M=8.*V=3"),
        (lambda: MultiHeadAttention[6, 4, 8, 8], r"H=4 must divide embed_dim M=6"),
        (lambda: MultiHeadAttention[8, 0], r"H=0 must divide"),
        (lambda: MultiHeadAttention[8], r"takes 2 to 4 arguments"),
        (lambda: MultiHeadAttention[8, 2, 8, 8, 8], r"takes 2 to 4 arguments"),
        (lambda: MultiHeadAttention[8, 2.5], r"num_heads must be an int >= 0, got 2.5"),
        (lambda: MultiHeadAttention[8, 2][8, 2], r"already has its arguments"),
    ],
)
def test_bad_architecture_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_defaults_fill_k_and_v(dev):
    arch = MultiHeadAttention[8, 2]
    assert (arch.embed_dim, arch.num_heads, arch.k_dim, arch.v_dim) == (8, 2, 8, 8)
    assert repr(arch) == "nn.MultiHeadAttention[8, 2]"
    assert dev.build_module(arch, f32).num_params() == 4 * (8 * 8 + 8)


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        ([(3, 6)], r"the last dim of q, k and v must be M=8: q \(3, 6\), k \(3, 6\), v \(3, 6\)"),
        ([(8,)], r"q must be \(S1, M\) or \(B, S1, M\): q \(8,\)"),
        ([(1, 2, 3, 8)], r"q must be \(S1, M\) or \(B, S1, M\)"),
        ([(3, 8), (4, 8), (5, 8)], r"k and v must have the same sequence length: .*k \(4, 8\)"),
        ([(2, 3, 8), (4, 8), (4, 8)], r"must all be batched or all unbatched"),
        ([(2, 3, 8), (3, 4, 8), (3, 4, 8)], r"the same batch size: q \(2, 3, 8\), k \(3, 4, 8\)"),
    ],
)
def test_wrong_shapes_name_the_module(dev, shapes, message):
    mha = dev.build_module(MultiHeadAttention[8, 2], f32)
    tensors = [dev.zeros(s) for s in shapes]
    x = tensors[0] if len(tensors) == 1 else tuple(tensors)
    with pytest.raises(dfdx.ShapeError, match=r"nn.MultiHeadAttention\[8, 2\]: .*" + message):
        mha(x)


def test_wrong_input_kind(dev):
    mha = dev.build_module(MultiHeadAttention[8, 2], f32)
    with pytest.raises(TypeError, match=r"a tuple of 3 tensors \(q, k, v\), got a tuple of 2"):
        mha((dev.zeros((3, 8)), dev.zeros((3, 8))))
    with pytest.raises(TypeError, match=r"got ndarray"):
        mha(np.zeros((3, 8)))
