"""Convolutions, pooling and upscaling: channels, parameters and output sizes."""

from dfdx_py import Cpu, f64
from dfdx_py.ops import conv1d, conv2d, conv_transpose2d, pool2d, upscale2d

dev = Cpu(seed=0)
img = dev.zeros((8, 3, 32, 32))

conv2d(img, dev.zeros((16, 4, 3, 3)))  # E: conv2d: channels differ: input (8, 3, 32, 32), weight (16, 4, 3, 3): the input has 3 channels, the weight expects 4 x groups 1 = 4  [tensor-shape]
conv2d(img, dev.zeros((16, 1, 3, 3)), groups=2)  # E: conv2d: channels differ
conv2d(img, dev.zeros((16, 3, 3)))  # E: conv2d: weight must have rank 4 (Out, C/groups, K...): input (8, 3, 32, 32), weight (16, 3, 3)
conv2d(dev.zeros((3, 32)), dev.zeros((16, 3, 3, 3)))  # E: conv2d: input must have rank 3 or 4
conv2d(img, dev.zeros((16, 3, 40, 3)))  # E: conv2d: output size -7 < 1 on spatial axis 0: input (8, 3, 32, 32), weight (16, 3, 40, 3): input size 32 is too small for the kernel
conv2d(img, dev.zeros((16, 3, 3, 3)), stride=0)  # E: conv2d: stride must be >= 1, got 0
conv2d(img, dev.zeros((16, 3, 3, 3)), padding=(1, -1))  # E: conv2d: padding must be >= 0, got -1
conv2d(img, dev.zeros((16, 1, 3, 3)), groups=3)  # E: conv2d: input (8, 3, 32, 32), weight (16, 1, 3, 3): out channels 16 not divisible by groups 3
conv2d(img, dev.zeros((16, 3, 3, 3), dtype=f64))  # E: conv2d: dtypes differ: f32 vs f64 (x vs weight); convert one with to_dtype  [tensor-dtype]
conv1d(dev.zeros((2, 4, 10)), dev.zeros((6, 2, 3)))  # E: conv1d: channels differ: input (2, 4, 10), weight (6, 2, 3): the input has 4 channels, the weight expects 2 x groups 1 = 2
conv1d(dev.zeros((4, 2)), dev.zeros((6, 4, 3)))  # E: conv1d: output size 0 < 1 on spatial axis 0
conv_transpose2d(dev.zeros((3, 4, 4)), dev.zeros((2, 5, 3, 3)))  # E: conv_transpose2d: channels differ: input (3, 4, 4), weight (2, 5, 3, 3): the input has 3 channels, the weight expects 2
conv_transpose2d(dev.zeros((3, 4, 4)), dev.zeros((3, 5, 3, 3)), output_padding=1)  # E: conv_transpose2d: output_padding 1 must be >= 0 and smaller than the stride 1 or the dilation 1
conv_transpose2d(dev.zeros((3, 1, 1)), dev.zeros((3, 5, 1, 1)), padding=1)  # E: conv_transpose2d: output size -1 < 1 on spatial axis 0
pool2d(img, "max", 40)  # E: pool2d: output size -7 < 1 on spatial axis 0: input (8, 3, 32, 32) is too small for kernel 40
pool2d(img, "avg", 3, padding=3)  # E: pool2d: padding 3 must be smaller than the kernel 3 (input (8, 3, 32, 32))
pool2d(dev.zeros((32, 32)), "min", 2)  # E: pool2d: input must have rank 3 or 4, got (32, 32)
upscale2d(img, (16, 64))  # E: upscale2d: (8, 3, 32, 32) to (16, 64): spatial axis 0: 16 < 32 (upscale2d only enlarges)
upscale2d(dev.zeros((32, 32)), (64, 64))  # E: upscale2d: input must have rank 3 or 4, got (32, 32)
upscale2d(dev.zeros((1, 2, 0)), (2, 2))  # E: upscale2d: cannot grow an empty axis: (1, 2, 0) to (2, 2): spatial axis 1 has size 0
