"""linear on the Cuda device: the bias copied into every row of the output, then one cuBLAS
GEMM reading the weight transposed (no copy) adds ``x @ weightᵀ`` to it (``beta = 1``), so
the bias joins the GEMM's sum and each output is rounded once (f16 and bf16 sum in f32,
``cublas.py``); the backward is two GEMMs and a GEMM with ones for the bias."""

from collections.abc import Sequence
from typing import Any

from dfdx_py.devices.cuda.context import suffix
from dfdx_py.devices.cuda.layout import broadcast, reduce
from dfdx_py.ops.linear import LINEAR


@LINEAR.register("cuda")
class LinearCuda:
    def forward(self, x: Any, weight: Any, bias: Any) -> Any:
        rows, in_features = x.shape
        out_features = weight.shape[0]
        shape = (rows, out_features)
        # the bias in every row, which the GEMM adds to
        y = x.ctx.empty(shape, x.dtype) if bias is None else broadcast(bias, shape, (0,))
        if y.size == 0:
            return y
        if in_features == 0:  # cuBLAS rejects k == 0: the product of nothing is 0
            if bias is None:
                x.ctx.drv.memset_d8(y.ptr, 0, y.nbytes)
        else:  # y (R, O) = x (R, I) @ weightᵀ [+ y], the weight stored (O, I)
            beta = 0.0 if bias is None else 1.0
            x.ctx.cublas.gemm(suffix(x.dtype), rows, out_features, in_features, x.ptr, False,
                              weight.ptr, True, y.ptr, beta=beta)  # fmt: skip
        return y

    def backward(
        self, x: Any, weight: Any, grad_y: Any, needs: Sequence[bool]
    ) -> tuple[Any, Any, Any]:
        rows, in_features = x.shape
        out_features = weight.shape[0]
        dtype = suffix(x.dtype)
        ctx = x.ctx
        grad_x = grad_w = grad_b = None
        if needs[0]:  # grad_x (R, I) = g (R, O) @ weight (O, I)
            grad_x = ctx.empty((rows, in_features), x.dtype)
            if grad_x.size and out_features:
                ctx.cublas.gemm(dtype, rows, in_features, out_features, grad_y.ptr, False,
                                weight.ptr, False, grad_x.ptr)  # fmt: skip
            elif grad_x.size:
                ctx.drv.memset_d8(grad_x.ptr, 0, grad_x.nbytes)
        if needs[1]:  # grad_w (O, I) = gᵀ (O, R) @ x (R, I)
            grad_w = ctx.empty((out_features, in_features), x.dtype)
            if grad_w.size and rows:
                ctx.cublas.gemm(dtype, out_features, in_features, rows, grad_y.ptr, True,
                                x.ptr, False, grad_w.ptr)  # fmt: skip
            elif grad_w.size:
                ctx.drv.memset_d8(grad_w.ptr, 0, grad_w.nbytes)
        if needs[2]:
            grad_b = reduce(grad_y, (0,), "sum")
        return grad_x, grad_w, grad_b
