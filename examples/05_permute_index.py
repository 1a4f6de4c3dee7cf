"""05: reshaping, permuting and indexing."""

import dfdx_py as dfdx
from dfdx_py import Cpu, Rank1, Rank2, Rank3, Tensor, f32

dev = Cpu(seed=0)

x: Tensor[Rank2[2, 6], f32, Cpu] = dev.tensor(
    [[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0, 11.0]]
)

# reshape keeps the elements; one -1 is inferred.
y: Tensor[Rank3[2, 3, 2], f32, Cpu] = x.reshape((2, 3, -1))
# permute reorders axes; transpose swaps two.
p: Tensor[Rank3[2, 2, 3], f32, Cpu] = y.permute((0, 2, 1))
t: Tensor[Rank2[6, 2], f32, Cpu] = x.transpose(0, 1)
print("reshape", y.shape, "permute", p.shape, "transpose", t.shape)

# Basic slicing: literal bounds give static sizes.
s: Tensor[Rank2[2, 2], f32, Cpu] = x[:, 1:3]
first: Tensor[Rank1[6], f32, Cpu] = x[0]
print("slice", s.numpy().tolist(), "row 0", first.numpy().tolist())

# select picks one element per batch row along an axis; gather picks several.
idx = dev.tensor([5, 0])
picked: Tensor[Rank1[2], f32, Cpu] = x.select(idx, axis=1)
gathered = x.gather(dev.tensor([[0, 1], [2, 3]]), axis=1)
print("select", picked.numpy().tolist(), "gather", gathered.numpy().tolist())

# concat sums the sizes along an axis; stack adds a new axis.
cat: Tensor[Rank2[4, 6], f32, Cpu] = dfdx.concat((x, x), axis=0)
st: Tensor[Rank3[3, 2, 6], f32, Cpu] = dfdx.stack((x, x, x))
print("concat", cat.shape, "stack", st.shape)

# roll and triangular masks keep the shape.
print("roll", x.roll(1, axis=1).numpy()[0].tolist())
square = dev.ones((3, 3))
print("tril", square.tril().numpy().tolist())

# realize checks a shape at run time: here a runtime-sized batch becomes a static one.
n = len(x)
checked: Tensor[Rank2[2, 6], f32, Cpu] = dev.zeros((n, 6)).realize((2, 6))
print("realize", checked.shape)
