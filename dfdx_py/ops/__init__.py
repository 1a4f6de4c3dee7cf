"""Every tensor op: one folder per op with its own kernels, one file per composite op.

``README.md`` in this folder tells how to add one. The op functions are re-exported here and
the most common ones again from ``dfdx_py`` itself.
"""

from dfdx_py.ops.add import add as add
from dfdx_py.ops.mul import mul as mul
from dfdx_py.ops.relu import relu as relu
from dfdx_py.ops.sum import sum as sum
