"""Transformer blocks, stacks and the full model against PyTorch with copied weights."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
import torch

import dfdx_py as dfdx
from dfdx_py import f32, f64, nn
from dfdx_py.nn.attention import MultiHeadAttention
from dfdx_py.nn.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderBlock,
    TransformerEncoder,
    TransformerEncoderBlock,
)
from tests.checks import arrays_of, check_module_gradients

TORCH = {f64: torch.float64, f32: torch.float32}
TOL = {f64: (1e-10, 1e-11), f32: (1e-4, 1e-5)}


def torch_names(named: dict[str, np.ndarray], stacked: bool) -> dict[str, torch.Tensor]:
    """Our parameter names and values in PyTorch's layout: ``w_q``/``w_k``/``w_v`` packed into
    ``in_proj_weight``, ``w_o`` as ``out_proj``, ``mh_attn`` as ``multihead_attn``, ``ff.0`` and
    ``ff.2`` as ``linear1`` and ``linear2``, and (``stacked``) block ``i`` as ``layers.i``."""
    out: dict[str, Any] = {}
    packed: dict[str, dict[str, np.ndarray]] = {}
    for name, value in named.items():
        name = name.replace("mh_attn.", "multihead_attn.")
        name = name.replace("ff.0.", "linear1.").replace("ff.2.", "linear2.")
        if stacked:
            name = re.sub(r"(^|\.)(\d+)\.", r"\1layers.\2.", name, count=1)
        m = re.fullmatch(r"(.*attn)\.w_([qkv])\.(weight|bias)", name)
        if m:
            packed.setdefault(f"{m[1]}.in_proj_{m[3]}", {})[m[2]] = value
            continue
        out[name.replace(".w_o.", ".out_proj.")] = value
    for name, parts in packed.items():
        out[name] = np.concatenate([parts["q"], parts["k"], parts["v"]])
    return {k: torch.from_numpy(np.array(v, copy=True)) for k, v in out.items()}


def copy_into_torch(model: nn.Module, torch_model: torch.nn.Module, stacked: bool) -> None:
    named = {n: p.numpy() for n, p in model.named_parameters()}
    state = torch_names(named, stacked)
    torch_model.load_state_dict(state, strict=True)  # every torch parameter is covered


def _run_torch(torch_model: torch.nn.Module, *arrays: np.ndarray, dtype=torch.float64):
    return torch_model(*(torch.from_numpy(a).to(dtype) for a in arrays))


# -- the encoder block --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize("shape", [(3, 5, 9), (5, 9)], ids=["batched", "unbatched"])
def test_encoder_block_matches_torch(dev, dtype, shape):
    block = dev.build_module(TransformerEncoderBlock[9, 3, 16], dtype)
    torch_block = torch.nn.TransformerEncoderLayer(
        9, 3, dim_feedforward=16, dropout=0.0, activation="relu", batch_first=True,
        norm_first=False, dtype=TORCH[dtype],
    )  # fmt: skip
    copy_into_torch(block, torch_block, stacked=False)
    x = arrays_of(shape, 0)
    y = block(dev.tensor(x, dtype=dtype))
    assert y.shape == shape and y.dtype is dtype
    want = _run_torch(torch_block, x, dtype=TORCH[dtype]).detach().numpy()
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(y.numpy(), want, rtol=rtol, atol=atol)


def test_encoder_block_children_and_names(dev):
    block = dev.build_module(TransformerEncoderBlock[8, 2, 16], f32)
    assert [n for n, _ in block.children()] == ["self_attn", "norm1", "ff", "norm2"]
    assert isinstance(block.self_attn, MultiHeadAttention) and len(block.ff) == 3
    names = [n for n, _ in block.named_parameters()]
    assert names[:2] == ["self_attn.w_q.weight", "self_attn.w_q.bias"]
    assert names[8:] == [
        "norm1.weight",
        "norm1.bias",
        "ff.0.weight",
        "ff.0.bias",
        "ff.2.weight",
        "ff.2.bias",
        "norm2.weight",
        "norm2.bias",
    ]
    assert block.num_params() == 4 * (64 + 8) + 2 * 16 + (16 * 8 + 16 + 8 * 16 + 8)


def test_encoder_block_gradients_by_finite_differences(dev):
    block = dev.build_module(TransformerEncoderBlock[4, 2, 3], f64)
    for norm in (block.norm1, block.norm2):  # away from ones and zeros, to see every path
        norm.weight = dev.tensor(arrays_of((4,), 1, 0.5, 1.5))
        norm.bias = dev.tensor(arrays_of((4,), 2))
    check_module_gradients(dev, block, [arrays_of((2, 3, 4), 3)])


# -- the decoder block --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [f64, f32])
@pytest.mark.parametrize(
    ("tgt_shape", "mem_shape"),
    [((4, 8, 12), (4, 6, 12)), ((8, 12), (6, 12))],
    ids=["batched", "unbatched"],
)
def test_decoder_block_matches_torch(dev, dtype, tgt_shape, mem_shape):
    block = dev.build_module(TransformerDecoderBlock[12, 6, 2], dtype)
    torch_block = torch.nn.TransformerDecoderLayer(
        12, 6, dim_feedforward=2, dropout=0.0, activation="relu", batch_first=True,
        norm_first=False, dtype=TORCH[dtype],
    )  # fmt: skip
    copy_into_torch(block, torch_block, stacked=False)
    tgt, mem = arrays_of(tgt_shape, 4), arrays_of(mem_shape, 5)
    y = block((dev.tensor(tgt, dtype=dtype), dev.tensor(mem, dtype=dtype)))
    assert y.shape == tgt_shape and y.dtype is dtype
    want = _run_torch(torch_block, tgt, mem, dtype=TORCH[dtype]).detach().numpy()
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(y.numpy(), want, rtol=rtol, atol=atol)


def test_decoder_block_has_no_causal_mask(dev):
    """As in dfdx, a target position sees later positions: changing the last target token
    changes the output at the first."""
    block = dev.build_module(TransformerDecoderBlock[4, 2, 8], f64)
    tgt, mem = arrays_of((3, 4), 6), dev.tensor(arrays_of((2, 4), 7))
    moved = tgt.copy()
    moved[-1] += 1.0
    a = block((dev.tensor(tgt), mem)).numpy()
    b = block((dev.tensor(moved), mem)).numpy()
    assert np.abs(a[0] - b[0]).max() > 1e-3


def test_decoder_block_gradients_by_finite_differences(dev):
    block = dev.build_module(TransformerDecoderBlock[4, 2, 2], f64)
    for norm in (block.norm1, block.norm2, block.norm3):
        norm.weight = dev.tensor(arrays_of((4,), 8, 0.5, 1.5))
        norm.bias = dev.tensor(arrays_of((4,), 9))
    assert [n for n, _ in block.children()] == [
        "self_attn",
        "norm1",
        "mh_attn",
        "norm2",
        "ff",
        "norm3",
    ]
    check_module_gradients(dev, block, [arrays_of((2, 3, 4), 10), arrays_of((2, 2, 4), 11)])


# -- stacks and the full transformer ------------------------------------------------------


def test_encoder_stack_matches_torch(dev):
    encoder = dev.build_module(TransformerEncoder[8, 2, 16, 3], f64)
    assert len(encoder) == 3 and all(isinstance(b, TransformerEncoderBlock) for b in encoder)
    assert encoder[0].ff[0].weight.numpy().tolist() != encoder[1].ff[0].weight.numpy().tolist()
    layer = torch.nn.TransformerEncoderLayer(
        8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, dtype=torch.float64
    )
    torch_encoder = torch.nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    copy_into_torch(encoder, torch_encoder, stacked=True)
    x = arrays_of((2, 5, 8), 12)
    want = _run_torch(torch_encoder, x).detach().numpy()
    np.testing.assert_allclose(encoder(dev.tensor(x)).numpy(), want, rtol=1e-10, atol=1e-11)


def _torch_transformer(m, h, e, d, f):
    model = torch.nn.Transformer(m, h, e, d, f, dropout=0.0, batch_first=True, dtype=torch.float64)
    model.encoder.norm = None  # dfdx's transformer has no final norms
    model.decoder.norm = None
    return model


@pytest.mark.parametrize(
    ("src_shape", "tgt_shape"),
    [((4, 12, 16), (4, 6, 16)), ((7, 16), (9, 16))],
    ids=["batched", "unbatched"],
)
def test_transformer_matches_torch(dev, src_shape, tgt_shape):
    model = dev.build_module(Transformer[16, 4, 2, 3, 8], f64)
    assert len(model.encoder) == 2 and len(model.decoder) == 3
    torch_model = _torch_transformer(16, 4, 2, 3, 8)
    named = {n: p.numpy() for n, p in model.named_parameters()}
    state = torch_names(
        {re.sub(r"^(encoder|decoder)\.(\d+)\.", r"\1.layers.\2.", n): v for n, v in named.items()},
        stacked=False,
    )
    torch_model.load_state_dict(state, strict=True)
    src, tgt = arrays_of(src_shape, 13), arrays_of(tgt_shape, 14)
    y = model((dev.tensor(src), dev.tensor(tgt)))
    assert y.shape == tgt_shape
    want = _run_torch(torch_model, src, tgt).detach().numpy()
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-10, atol=1e-11)

    # gradients of every parameter and of src, against torch.autograd
    grads = model.alloc_grads()
    src_t = dev.tensor(src)
    model.forward_mut((src_t.trace(grads), dev.tensor(tgt))).square().mean().backward()
    src_torch = torch.from_numpy(src).requires_grad_()
    torch_model(src_torch, torch.from_numpy(tgt)).square().mean().backward()
    ours = torch_names(
        {
            re.sub(r"^(encoder|decoder)\.(\d+)\.", r"\1.layers.\2.", n): grads.get(p).numpy()
            for n, p in model.named_parameters()
        },
        stacked=False,
    )
    for name, p in torch_model.named_parameters():
        np.testing.assert_allclose(
            ours[name].numpy(), p.grad.numpy(), rtol=1e-8, atol=1e-11, err_msg=name
        )
    np.testing.assert_allclose(
        grads.get(src_t).numpy(), src_torch.grad.numpy(), rtol=1e-8, atol=1e-11
    )


def test_transformer_parameter_names(dev):
    model = dev.build_module(Transformer[8, 2, 1, 2, 4], f32)
    names = [n for n, _ in model.named_parameters()]
    assert names[0] == "encoder.0.self_attn.w_q.weight"
    assert "decoder.1.mh_attn.w_o.bias" in names and names[-1] == "decoder.1.norm3.bias"
    assert not any(n.startswith("encoder.1.") for n in names)
    enc = TransformerEncoderBlock[8, 2, 4].build(dev, f32).num_params()
    dec = TransformerDecoderBlock[8, 2, 4].build(dev, f32).num_params()
    assert model.num_params() == enc + 2 * dec


def test_decoder_stack_shares_the_memory(dev):
    decoder = dev.build_module(TransformerDecoder[8, 2, 4, 2], f64)
    tgt, mem = dev.tensor(arrays_of((3, 8), 15)), dev.tensor(arrays_of((5, 8), 16))
    step = tgt
    for block in decoder:
        step = block((step, mem))
    np.testing.assert_array_equal(decoder((tgt, mem)).numpy(), step.numpy())


def test_transformer_trains_in_f32(dev):
    model = dev.build_module(Transformer[16, 4, 2, 2, 8], f32)
    src, tgt = dev.sample_normal((4, 12, 16)), dev.sample_normal((4, 6, 16))
    grads = model.alloc_grads()
    out = model.forward_mut((src.traced(grads), tgt))
    assert out.shape == (4, 6, 16) and out.dtype is f32
    grads = out.mean().backward()
    for name, p in model.named_parameters():
        assert np.isfinite(grads.get(p).numpy()).all(), name
    assert np.abs(grads.get(model.decoder[1].ff[2].weight).numpy()).sum() > 0


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: TransformerEncoderBlock[8, 3, 16],
            r"nn.TransformerEncoderBlock\[8, 3, 16\]: nn.MultiHeadAttention: num_heads H=3 "
            r"must divide embed_dim M=8",
        ),
        (lambda: TransformerDecoderBlock[6, 4, 2], r"TransformerDecoderBlock\[6, 4, 2\].*H=4"),
        (lambda: TransformerEncoder[8, 3, 16, 2], r"TransformerEncoder\[8, 3, 16, 2\].*H=3"),
        (lambda: Transformer[10, 4, 1, 1, 8], r"Transformer\[10, 4, 1, 1, 8\].*M=10"),
        (lambda: TransformerEncoder[8, 2, 16], r"takes 4 arguments"),
        (lambda: Transformer[8, 2, 1, -1, 8], r"num_decoder_layers must be an int >= 0"),
    ],
)
def test_bad_architecture_arguments(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_wrong_inputs_name_the_module(dev):
    block = dev.build_module(TransformerEncoderBlock[8, 2, 4], f32)
    with pytest.raises(
        dfdx.ShapeError,
        match=r"nn.TransformerEncoderBlock\[8, 2, 4\]: x must be \(S, 8\) or \(B, S, 8\), "
        r"got shape \(3, 6\)",
    ):
        block(dev.zeros((3, 6)))
    decoder = dev.build_module(TransformerDecoder[8, 2, 4, 1], f32)
    with pytest.raises(TypeError, match=r"takes a tuple \(tgt, mem\), got a tensor of shape"):
        decoder(dev.zeros((3, 8)))
    with pytest.raises(dfdx.ShapeError, match=r"mem must be \(S, 8\) or \(B, S, 8\)"):
        decoder((dev.zeros((3, 8)), dev.zeros((3, 7))))
    with pytest.raises(dfdx.ShapeError, match=r"same batch size.*tgt \(2, 3, 8\), mem \(3, 5, 8\)"):
        decoder((dev.zeros((2, 3, 8)), dev.zeros((3, 5, 8))))
    model = dev.build_module(Transformer[8, 2, 1, 1, 4], f32)
    with pytest.raises(dfdx.ShapeError, match=r"nn.Transformer\[8, 2, 1, 1, 4\]: .*src \(3, 8\)"):
        model((dev.zeros((3, 8)), dev.zeros((2, 3, 8))))
