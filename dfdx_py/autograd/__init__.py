"""Reverse-mode autodiff: a tape of backward closures and a gradient store."""

from dfdx_py.autograd.gradients import Gradients
from dfdx_py.autograd.tape import Tape, backward, record

__all__ = ["Gradients", "Tape", "backward", "record"]
