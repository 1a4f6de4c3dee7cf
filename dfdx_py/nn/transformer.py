"""The transformer of "Attention is all you need", as dfdx builds it: post-norm blocks
(``x = norm(x + sublayer(x))``), ReLU feed-forward, no dropout, no masks, no final norms.

- ``TransformerEncoderBlock[M, H, F]``: self-attention, then feed-forward;
- ``TransformerEncoder[M, H, F, L]``: ``L`` encoder blocks in sequence;
- ``TransformerDecoderBlock[M, H, F]``: self-attention, attention over the encoder's output
  (the *memory*), then feed-forward;
- ``TransformerDecoder[M, H, F, L]``: ``L`` decoder blocks, each seeing the same memory;
- ``Transformer[M, H, E, D, F]``: an ``E``-layer encoder and a ``D``-layer decoder.

Where dfdx and PyTorch differ, these follow dfdx:

- the decoder's self-attention has no causal mask (PyTorch's default ``tgt_mask=None`` is
  the same; pass nothing to PyTorch to compare), and no block takes a padding mask;
- ``Transformer`` has no final ``LayerNorm`` after the encoder and after the decoder (PyTorch's
  ``nn.Transformer`` adds both: its ``encoder.norm`` and ``decoder.norm``);
- there is no dropout (PyTorch's default is 0.1: compare with ``dropout=0.0``).

Parameter names follow dfdx's field names (``self_attn``, ``norm1``, ``mh_attn``, ...); the
feed-forward network is a ``Sequential`` ``ff`` (``ff.0`` is PyTorch's ``linear1``, ``ff.2``
its ``linear2``; dfdx wraps it in a ``Residual``, here the residual add is in ``forward``), and
attention keeps dfdx's separate ``w_q``, ``w_k``, ``w_v``, ``w_o`` (PyTorch packs the first
three into ``in_proj_weight`` and calls the last ``out_proj``; PyTorch's ``multihead_attn`` is
``mh_attn`` here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from dfdx_py.errors import ShapeError
from dfdx_py.nn.activations import ReLU
from dfdx_py.nn.attention import MultiHeadAttention
from dfdx_py.nn.combinators import ModuleList
from dfdx_py.nn.linear import Linear
from dfdx_py.nn.module import Module
from dfdx_py.nn.norm import LayerNorm1D
from dfdx_py.nn.sequential import Sequential
from dfdx_py.tensor import Tensor

if TYPE_CHECKING:
    from dfdx_py.devices.base import Device
    from dfdx_py.dtypes import DType

T = Tensor[Any, Any, Any]


class _TransformerPart(Module):
    """Int arguments like any module, plus: ``num_heads`` must divide ``model_dim``
    (checked when the type is written, as ``MultiHeadAttention`` does)."""

    model_dim: ClassVar[int]
    num_heads: ClassVar[int]

    @classmethod
    def check_arch_args(cls, args: tuple[Any, ...]) -> dict[str, Any]:
        values = super().check_arch_args(args)
        try:
            MultiHeadAttention[values["model_dim"], values["num_heads"]]
        except TypeError as e:
            raise TypeError(f"{cls!r}[{', '.join(map(repr, args))}]: {e}") from None
        return values

    def check_input(self, name: str, x: Any) -> None:
        """``ShapeError`` unless ``x`` is a ``(S, M)`` or ``(B, S, M)`` tensor."""
        if not isinstance(x, Tensor):
            raise TypeError(f"{type(self)!r}: {name} must be a tensor, got {type(x).__name__}")
        if x.ndim not in (2, 3) or x.shape[-1] != self.model_dim:
            raise ShapeError(
                f"{type(self)!r}: {name} must be (S, {self.model_dim}) or "
                f"(B, S, {self.model_dim}), got shape {x.shape}"
            )

    def split_pair(self, x: Any, names: tuple[str, str]) -> tuple[T, T]:
        """The two tensors of the tuple input ``x``, checked: same rank, same batch size."""
        if not (isinstance(x, tuple | list) and len(x) == 2):
            raise TypeError(
                f"{type(self)!r} takes a tuple ({names[0]}, {names[1]}), got "
                + (f"a tensor of shape {x.shape}" if isinstance(x, Tensor) else type(x).__name__)
            )
        a, b = x
        self.check_input(names[0], a)
        self.check_input(names[1], b)
        if a.ndim != b.ndim or (a.ndim == 3 and a.shape[0] != b.shape[0]):
            raise ShapeError(
                f"{type(self)!r}: {names[0]} and {names[1]} must both be batched with the "
                f"same batch size, or both unbatched: {names[0]} {a.shape}, "
                f"{names[1]} {b.shape}"
            )
        return a, b


def _feed_forward(m: int, f: int, device: Device, dtype: type[DType]) -> Sequential:
    """``(Linear[M, F], ReLU, Linear[F, M])``: the feed-forward network of a block."""
    layers = [Linear[m, f].build(device, dtype), ReLU.build(device, dtype)]
    return Sequential.of([*layers, Linear[f, m].build(device, dtype)])


class TransformerEncoderBlock(_TransformerPart):
    """One post-norm encoder block (dfdx's ``TransformerEncoderBlock<M, H, F>``)::

        x = norm1(x + self_attn(x))
        x = norm2(x + ff(x))            # ff = Linear[M, F], ReLU, Linear[F, M]

    Input ``(S, M)`` or ``(B, S, M)``, output the same shape. Children ``self_attn:
    MultiHeadAttention[M, H]``, ``norm1: LayerNorm1D[M]``, ``ff`` (a ``Sequential``),
    ``norm2: LayerNorm1D[M]``.

    PyTorch: ``torch.nn.TransformerEncoderLayer(M, H, dim_feedforward=F, dropout=0.0,
    batch_first=True)`` (``norm_first=False``, ``activation="relu"``, the defaults)::

        block = dev.build_module(nn.TransformerEncoderBlock[16, 4, 32], f32)
        y = block(x)                    # (B, S, 16) -> (B, S, 16)
    """

    arch_params = ("model_dim", "num_heads", "ff_dim")
    ff_dim: ClassVar[int]
    self_attn: MultiHeadAttention
    norm1: LayerNorm1D
    ff: Sequential
    norm2: LayerNorm1D

    def init(self, device: Device, dtype: type[DType]) -> None:
        m, h, f = self.model_dim, self.num_heads, self.ff_dim
        self.self_attn = MultiHeadAttention[m, h].build(device, dtype)
        self.norm1 = LayerNorm1D[m].build(device, dtype)
        self.ff = _feed_forward(m, f, device, dtype)
        self.norm2 = LayerNorm1D[m].build(device, dtype)

    def forward(self, x: T) -> T:
        self.check_input("x", x)
        x = self.norm1(x + self.self_attn(x))
        out: T = self.norm2(x + self.ff(x))
        return out


class TransformerDecoderBlock(_TransformerPart):
    """One post-norm decoder block (dfdx's ``TransformerDecoderBlock<M, H, F>``); input a
    tuple ``(tgt, mem)``, ``mem`` being the encoder's output::

        x = norm1(tgt + self_attn(tgt))            # no causal mask, as in dfdx
        x = norm2(x + mh_attn((x, mem, mem)))
        x = norm3(x + ff(x))

    ``tgt`` ``(S1, M)`` or ``(B, S1, M)``, ``mem`` ``(S2, M)`` or ``(B, S2, M)``; output the
    shape of ``tgt``. Children ``self_attn``, ``norm1``, ``mh_attn``, ``norm2``, ``ff``,
    ``norm3``.

    PyTorch: ``torch.nn.TransformerDecoderLayer(M, H, dim_feedforward=F, dropout=0.0,
    batch_first=True)`` called without masks (its ``multihead_attn`` is ``mh_attn`` here)::

        block = dev.build_module(nn.TransformerDecoderBlock[16, 4, 32], f32)
        y = block((tgt, mem))           # ((B, 6, 16), (B, 9, 16)) -> (B, 6, 16)
    """

    arch_params = ("model_dim", "num_heads", "ff_dim")
    ff_dim: ClassVar[int]
    self_attn: MultiHeadAttention
    norm1: LayerNorm1D
    mh_attn: MultiHeadAttention
    norm2: LayerNorm1D
    ff: Sequential
    norm3: LayerNorm1D

    def init(self, device: Device, dtype: type[DType]) -> None:
        m, h, f = self.model_dim, self.num_heads, self.ff_dim
        self.self_attn = MultiHeadAttention[m, h].build(device, dtype)
        self.norm1 = LayerNorm1D[m].build(device, dtype)
        self.mh_attn = MultiHeadAttention[m, h].build(device, dtype)
        self.norm2 = LayerNorm1D[m].build(device, dtype)
        self.ff = _feed_forward(m, f, device, dtype)
        self.norm3 = LayerNorm1D[m].build(device, dtype)

    def forward(self, x: tuple[T, T]) -> T:
        tgt, mem = self.split_pair(x, ("tgt", "mem"))
        y = self.norm1(tgt + self.self_attn(tgt))
        y = self.norm2(y + self.mh_attn((y, mem, mem)))
        out: T = self.norm3(y + self.ff(y))
        return out


class TransformerEncoder(_TransformerPart, ModuleList):
    """``L`` encoder blocks in sequence (dfdx's ``TransformerEncoder<M, H, F, L>``, a
    ``Repeated<TransformerEncoderBlock<M, H, F>, L>``); children ``"0"`` ... ``"L-1"``.

    Input ``(S, M)`` or ``(B, S, M)``, output the same shape. PyTorch:
    ``torch.nn.TransformerEncoder(layer, L)`` with the layer of ``TransformerEncoderBlock``
    and no final ``norm``::

        encoder = dev.build_module(nn.TransformerEncoder[16, 4, 32, 2], f32)
        mem = encoder(src)              # (B, S, 16) -> (B, S, 16)
    """

    arch_params = ("model_dim", "num_heads", "ff_dim", "num_layers")
    ff_dim: ClassVar[int]
    num_layers: ClassVar[int]

    def init(self, device: Device, dtype: type[DType]) -> None:
        block: type[TransformerEncoderBlock] = TransformerEncoderBlock[
            self.model_dim, self.num_heads, self.ff_dim
        ]
        self.set_items([block.build(device, dtype) for _ in range(self.num_layers)])

    def forward(self, x: T) -> T:
        self.check_input("x", x)
        for block in self:
            x = block(x)
        return x


class TransformerDecoder(_TransformerPart, ModuleList):
    """``L`` decoder blocks in sequence, each attending to the same memory (dfdx's
    ``TransformerDecoder<M, H, F, L>``); children ``"0"`` ... ``"L-1"``.

    Input ``(tgt, mem)``, output the shape of ``tgt``. PyTorch:
    ``torch.nn.TransformerDecoder(layer, L)`` with the layer of ``TransformerDecoderBlock``
    and no final ``norm``::

        decoder = dev.build_module(nn.TransformerDecoder[16, 4, 32, 2], f32)
        y = decoder((tgt, mem))         # ((B, 6, 16), (B, 9, 16)) -> (B, 6, 16)
    """

    arch_params = ("model_dim", "num_heads", "ff_dim", "num_layers")
    ff_dim: ClassVar[int]
    num_layers: ClassVar[int]

    def init(self, device: Device, dtype: type[DType]) -> None:
        block: type[TransformerDecoderBlock] = TransformerDecoderBlock[
            self.model_dim, self.num_heads, self.ff_dim
        ]
        self.set_items([block.build(device, dtype) for _ in range(self.num_layers)])

    def forward(self, x: tuple[T, T]) -> T:
        tgt, mem = self.split_pair(x, ("tgt", "mem"))
        for block in self:
            tgt = block((tgt, mem))
        return tgt


class Transformer(_TransformerPart):
    """Encoder-decoder transformer (dfdx's ``Transformer<M, H, E, D, F>``): ``(src, tgt) ->
    decoder((tgt, encoder(src)))`` with ``E`` encoder and ``D`` decoder layers of
    feed-forward width ``F``. Children ``encoder: TransformerEncoder[M, H, F, E]`` and
    ``decoder: TransformerDecoder[M, H, F, D]``.

    ``src`` ``(S1, M)`` or ``(B, S1, M)``, ``tgt`` ``(S2, M)`` or ``(B, S2, M)``; output the
    shape of ``tgt``. PyTorch: ``torch.nn.Transformer(M, H, E, D, F, dropout=0.0,
    batch_first=True)`` without its two final norms (dfdx has none) and without masks::

        model = dev.build_module(nn.Transformer[16, 4, 2, 2, 32], f32)
        y = model((src, tgt))           # ((B, 12, 16), (B, 6, 16)) -> (B, 6, 16)
    """

    arch_params = (
        "model_dim",
        "num_heads",
        "num_encoder_layers",
        "num_decoder_layers",
        "ff_dim",
    )
    num_encoder_layers: ClassVar[int]
    num_decoder_layers: ClassVar[int]
    ff_dim: ClassVar[int]
    encoder: TransformerEncoder
    decoder: TransformerDecoder

    def init(self, device: Device, dtype: type[DType]) -> None:
        m, h, f = self.model_dim, self.num_heads, self.ff_dim
        self.encoder = TransformerEncoder[m, h, f, self.num_encoder_layers].build(device, dtype)
        self.decoder = TransformerDecoder[m, h, f, self.num_decoder_layers].build(device, dtype)

    def forward(self, x: tuple[T, T]) -> T:
        src, tgt = self.split_pair(x, ("src", "tgt"))
        out: T = self.decoder((tgt, self.encoder(src)))
        return out
