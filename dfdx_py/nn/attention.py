"""``MultiHeadAttention[M, H, K=M, V=M]``: scaled dot-product attention over ``H`` heads,
exactly dfdx's ``MultiHeadAttention`` (no mask, no dropout)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from dfdx_py.errors import ShapeError
from dfdx_py.nn.combinators import check_unspecialized
from dfdx_py.nn.linear import Linear
from dfdx_py.nn.module import Module
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType

T = Tensor[Any, Any, Any]


class MultiHeadAttention(Module):
    """Multi-head attention: ``H`` heads of ``softmax(Q Kᵀ / √(K/H)) V``, concatenated and
    projected back to ``M`` (dfdx's ``MultiHeadAttention<M, H, K, V>``).

    Arguments: ``M`` the model (query) width, ``H`` the number of heads, ``K`` the width of
    the query and key projections (default ``M``), ``V`` the width of the value projection
    (default ``M``); ``H`` must divide ``M``, ``K`` and ``V``. Children ``w_q: Linear[M, K]``,
    ``w_k: Linear[M, K]``, ``w_v: Linear[M, V]``, ``w_o: Linear[V, M]``.

    Input: a tensor ``x`` (self-attention: ``q = k = v = x``) or a tuple ``(q, k, v)``;
    ``q`` is ``(S1, M)`` or ``(B, S1, M)``, ``k`` and ``v`` are ``(S2, M)`` or ``(B, S2, M)``.
    Output: the shape of ``q``. No mask and no dropout, as in dfdx.

    PyTorch: ``torch.nn.MultiheadAttention(M, H, batch_first=True, dropout=0.0)`` when
    ``K == V == M`` (PyTorch packs ``w_q``, ``w_k``, ``w_v`` into ``in_proj_weight`` and names
    ``w_o`` ``out_proj``; its ``kdim``/``vdim`` mean the *input* widths of key and value,
    which dfdx's ``K``/``V`` are not)::

        mha = dev.build_module(nn.MultiHeadAttention[8, 2], f32)
        y = mha(x)                        # self-attention: (B, S, 8) -> (B, S, 8)
        y = mha((q, mem, mem))            # cross-attention: (B, S1, 8) -> (B, S1, 8)
    """

    arch_params = ("embed_dim", "num_heads", "k_dim", "v_dim")
    embed_dim: ClassVar[int]
    num_heads: ClassVar[int]
    k_dim: ClassVar[int]
    v_dim: ClassVar[int]
    w_q: Linear
    w_k: Linear
    w_v: Linear
    w_o: Linear

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        check_unspecialized(cls)
        if not 2 <= len(args) <= 4:
            raise TypeError(
                f"{cls!r} takes 2 to 4 arguments (embed_dim M, num_heads H, k_dim K=M, "
                f"v_dim V=M), got {len(args)}"
            )
        m = args[0]
        full = args + (m, m)[len(args) - 2 :]  # K and V default to M
        for name, value in zip(cls.arch_params, full, strict=True):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise TypeError(f"{cls!r}: {name} must be an int >= 0, got {value!r}")
        m, h, k, v = full
        if h == 0 or m % h or k % h or v % h:
            raise TypeError(
                f"{cls!r}: num_heads H={h} must divide embed_dim M={m}, k_dim K={k} and "
                f"v_dim V={v} (each head gets an equal slice)"
            )
        return dict(zip(cls.arch_params, full, strict=True))

    def init(self, device: Device, dtype: type[DType]) -> None:
        m, k, v = self.embed_dim, self.k_dim, self.v_dim
        self.w_q = Linear[m, k].build(device, dtype)
        self.w_k = Linear[m, k].build(device, dtype)
        self.w_v = Linear[m, v].build(device, dtype)
        self.w_o = Linear[v, m].build(device, dtype)

    def forward(self, x: T | tuple[T, T, T]) -> T:
        if isinstance(x, Tensor):
            q = k = v = x
        elif isinstance(x, tuple | list) and len(x) == 3 and all(isinstance(t, Tensor) for t in x):
            q, k, v = x
        else:
            raise TypeError(
                f"{type(self)!r} takes a tensor (self-attention) or a tuple of 3 tensors "
                f"(q, k, v), got {_describe(x)}"
            )
        self._check_shapes(q, k, v)
        batched = q.ndim == 3
        if not batched:  # run the batched form with a batch of one
            q, k, v = (t.reshape((1, *t.shape)) for t in (q, k, v))
        b, s1, s2 = q.shape[0], q.shape[1], k.shape[1]
        h, dk, dv = self.num_heads, self.k_dim // self.num_heads, self.v_dim // self.num_heads

        qh = self.w_q(q).reshape((b, s1, h, dk)).permute((0, 2, 1, 3))  # (B, H, S1, K/H)
        kh = self.w_k(k).reshape((b, s2, h, dk)).permute((0, 2, 3, 1))  # (B, H, K/H, S2)
        vh = self.w_v(v).reshape((b, s2, h, dv)).permute((0, 2, 1, 3))  # (B, H, S2, V/H)

        weights = ((qh @ kh) * (1.0 / math.sqrt(dk))).softmax(-1)  # (B, H, S1, S2)
        tokens = (weights @ vh).permute((0, 2, 1, 3)).reshape((b, s1, self.v_dim))
        out: T = self.w_o(tokens)  # (B, S1, M)
        return out if batched else out.reshape((s1, self.embed_dim))

    def _check_shapes(self, q: T, k: T, v: T) -> None:
        """``ShapeError`` naming this module and the three shapes when they do not fit."""
        m = self.embed_dim
        problem = None
        if q.ndim not in (2, 3):
            problem = "q must be (S1, M) or (B, S1, M)"
        elif k.ndim != q.ndim or v.ndim != q.ndim:
            problem = "q, k and v must all be batched or all unbatched"
        elif any(t.shape[-1] != m for t in (q, k, v)):
            problem = f"the last dim of q, k and v must be M={m}"
        elif k.shape[-2] != v.shape[-2]:
            problem = "k and v must have the same sequence length"
        elif q.ndim == 3 and not q.shape[0] == k.shape[0] == v.shape[0]:
            problem = "q, k and v must have the same batch size"
        if problem is not None:
            raise ShapeError(f"{type(self)!r}: {problem}: q {q.shape}, k {k.shape}, v {v.shape}")


def _describe(x: Any) -> str:
    if isinstance(x, tuple | list):
        items = ", ".join(repr(t.shape) if isinstance(t, Tensor) else type(t).__name__ for t in x)
        return f"a {type(x).__name__} of {len(x)} ({items})"
    return type(x).__name__
