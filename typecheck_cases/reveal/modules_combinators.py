"""Sequential models, combinators, attention and transformers: the output types."""

from typing import Literal, TypeVar, assert_type

from dfdx_py import Cpu, Tensor, f32, nn

B = TypeVar("B", bound=int)
dev = Cpu(seed=0)
L2 = Literal[2]
L4 = Literal[4]
L5 = Literal[5]
L6 = Literal[6]
L8 = Literal[8]
L10 = Literal[10]
L16 = Literal[16]

Model = tuple[
    tuple[nn.Linear[5, 10], nn.ReLU],
    nn.Residual[tuple[nn.Linear[10, 10], nn.Tanh]],
    nn.Linear[10, 2],
]
model = dev.build_module(Model, f32)
x = dev.zeros((4, 5))
assert_type(model(x), Tensor[tuple[L4, L2], f32, Cpu])
assert_type(model.forward_mut(x), Tensor[tuple[L4, L2], f32, Cpu])
assert_type(model[0](x), Tensor[tuple[L4, L10], f32, Cpu])
assert_type(dev.build_module(tuple[()], f32)(x), Tensor[tuple[L4, L5], f32, Cpu])

conv_net = dev.build_module(
    tuple[
        nn.Conv2D[1, 4, 3],
        nn.ReLU,
        nn.MaxPool2D[2, 2],
        nn.Flatten2D,
        nn.Linear[676, 10],
    ],
    f32,
)
assert_type(conv_net(dev.zeros((8, 1, 28, 28))), Tensor[tuple[L8, L10], f32, Cpu])

gres = dev.build_module(
    nn.GeneralizedResidual[tuple[nn.Linear[4, 8], nn.ReLU], nn.Linear[4, 8]], f32
)
assert_type(gres(dev.zeros((2, 4))), Tensor[tuple[L2, L8], f32, Cpu])

heads = dev.build_module(nn.SplitInto[nn.Linear[8, 2], nn.Linear[8, 1]], f32)
policy, value = heads(dev.zeros((5, 8)))
assert_type(policy, Tensor[tuple[L5, L2], f32, Cpu])
assert_type(value, Tensor[tuple[L5, Literal[1]], f32, Cpu])

add = dev.build_module(nn.AddInto[nn.Linear[2, 5], nn.Linear[3, 5]], f32)
assert_type(add((dev.zeros((4, 2)), dev.zeros((4, 3)))), Tensor[tuple[L4, L5], f32, Cpu])
both = dev.build_module(
    tuple[nn.SplitInto[nn.Linear[4, 6], nn.Linear[4, 6]], nn.AddInto[nn.ReLU, nn.Tanh]], f32
)
assert_type(both(dev.zeros((2, 4))), Tensor[tuple[L2, L6], f32, Cpu])

rep = dev.build_module(nn.Repeated[tuple[nn.Linear[10, 10], nn.ReLU], 100], f32)
assert_type(rep(dev.zeros((3, 10))), Tensor[tuple[Literal[3], L10], f32, Cpu])
assert_type(dev.build_module(nn.Repeated[nn.ReLU, 0], f32)(x), Tensor[tuple[L4, L5], f32, Cpu])

seq = dev.zeros((4, 6, 16))
mem = dev.zeros((4, 9, 16))
mha = dev.build_module(nn.MultiHeadAttention[16, 4], f32)
assert_type(mha(seq), Tensor[tuple[L4, L6, L16], f32, Cpu])
assert_type(mha((seq, mem, mem)), Tensor[tuple[L4, L6, L16], f32, Cpu])
assert_type(mha(dev.zeros((6, 16))), Tensor[tuple[L6, L16], f32, Cpu])
mha_kv = dev.build_module(nn.MultiHeadAttention[16, 4, 8, 12], f32)
assert_type(mha_kv(seq), Tensor[tuple[L4, L6, L16], f32, Cpu])

block = dev.build_module(nn.TransformerEncoderBlock[16, 4, 32], f32)
assert_type(block(seq), Tensor[tuple[L4, L6, L16], f32, Cpu])
encoder = dev.build_module(nn.TransformerEncoder[16, 4, 32, 2], f32)
assert_type(encoder(seq), Tensor[tuple[L4, L6, L16], f32, Cpu])
decoder_block = dev.build_module(nn.TransformerDecoderBlock[16, 4, 32], f32)
assert_type(decoder_block((seq, mem)), Tensor[tuple[L4, L6, L16], f32, Cpu])
decoder = dev.build_module(nn.TransformerDecoder[16, 4, 32, 2], f32)
assert_type(decoder((seq, mem)), Tensor[tuple[L4, L6, L16], f32, Cpu])
transformer = dev.build_module(nn.Transformer[16, 4, 2, 2, 32], f32)
assert_type(transformer((mem, seq)), Tensor[tuple[L4, L6, L16], f32, Cpu])


def batch(t: Tensor[tuple[B, Literal[5]], f32, Cpu]) -> Tensor[tuple[B, L2], f32, Cpu]:
    assert_type(model(t), Tensor[tuple[B, L2], f32, Cpu])
    return model(t)


def sequence(t: Tensor[tuple[B, L6, L16], f32, Cpu]) -> None:
    assert_type(encoder(t), Tensor[tuple[B, L6, L16], f32, Cpu])
