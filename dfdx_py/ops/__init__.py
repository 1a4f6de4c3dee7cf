"""Every tensor op: one folder per op with its own kernels, one file per composite op.

``README.md`` in this folder tells how to add one. The op functions are re-exported here and
the most common ones again from ``dfdx_py`` itself.
"""

from dfdx_py.ops.abs import abs as abs
from dfdx_py.ops.accurate_gelu import accurate_gelu as accurate_gelu
from dfdx_py.ops.add import add as add
from dfdx_py.ops.broadcast_to import broadcast_to as broadcast_to
from dfdx_py.ops.choose import choose as choose
from dfdx_py.ops.clamp import clamp as clamp
from dfdx_py.ops.cmp import eq as eq
from dfdx_py.ops.cmp import ge as ge
from dfdx_py.ops.cmp import gt as gt
from dfdx_py.ops.cmp import le as le
from dfdx_py.ops.cmp import lt as lt
from dfdx_py.ops.cmp import ne as ne
from dfdx_py.ops.concat import concat as concat
from dfdx_py.ops.cos import cos as cos
from dfdx_py.ops.div import div as div
from dfdx_py.ops.dropout import dropout as dropout
from dfdx_py.ops.exp import exp as exp
from dfdx_py.ops.fast_gelu import fast_gelu as fast_gelu
from dfdx_py.ops.fast_gelu import gelu as gelu
from dfdx_py.ops.leaky_relu import leaky_relu as leaky_relu
from dfdx_py.ops.ln import ln as ln
from dfdx_py.ops.log_softmax import log_softmax as log_softmax
from dfdx_py.ops.logsumexp import logsumexp as logsumexp
from dfdx_py.ops.max import max as max
from dfdx_py.ops.maximum import maximum as maximum
from dfdx_py.ops.mean import mean as mean
from dfdx_py.ops.min import min as min
from dfdx_py.ops.minimum import minimum as minimum
from dfdx_py.ops.mul import mul as mul
from dfdx_py.ops.nans_to import nans_to as nans_to
from dfdx_py.ops.negate import negate as negate
from dfdx_py.ops.normalize import normalize as normalize
from dfdx_py.ops.permute import permute as permute
from dfdx_py.ops.powf import powf as powf
from dfdx_py.ops.powi import powi as powi
from dfdx_py.ops.realize import realize as realize
from dfdx_py.ops.recip import recip as recip
from dfdx_py.ops.relu import relu as relu
from dfdx_py.ops.reshape import reshape as reshape
from dfdx_py.ops.roll import roll as roll
from dfdx_py.ops.select_and_gather import gather as gather
from dfdx_py.ops.select_and_gather import select as select
from dfdx_py.ops.sigmoid import sigmoid as sigmoid
from dfdx_py.ops.sin import sin as sin
from dfdx_py.ops.slice import slice_ as slice_
from dfdx_py.ops.softmax import softmax as softmax
from dfdx_py.ops.sqrt import sqrt as sqrt
from dfdx_py.ops.square import square as square
from dfdx_py.ops.stack import stack as stack
from dfdx_py.ops.std import std as std
from dfdx_py.ops.sub import sub as sub
from dfdx_py.ops.sum import sum as sum
from dfdx_py.ops.tanh import tanh as tanh
from dfdx_py.ops.to_device import to_device as to_device
from dfdx_py.ops.to_dtype import to_dtype as to_dtype
from dfdx_py.ops.transpose import transpose as transpose
from dfdx_py.ops.tri import tril as tril
from dfdx_py.ops.tri import triu as triu
from dfdx_py.ops.var import var as var
