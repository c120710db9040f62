"""A fake CUDA GPU for tests on a machine without one (tests/test_fake_cuda.py).

Inside ``fake_cuda()`` every tensor is a FakeTensor (PyTorch's FakeTensorMode):
it has a shape, a dtype and a device, "cuda" included, but no values, and any
operation that mixes a cuda tensor with a CPU one raises "Expected all tensors
to be on the same device", as on a real GPU. What the mode cannot do here, and
what stands in for it:

- ``torch.cuda.is_available()`` says True to dcgan_lib and to PyTorch's AMP
  (autocast, GradScaler), False to the fake tensors' own machinery (which would
  otherwise try to start a real GPU); the capability is a T4's (7.5), and
  bfloat16 is supported.
- ``module.to("cuda")`` on fake weights swaps tensors, which PyTorch refuses
  while its fake-tensor memo holds a weak reference to them: the memo forgets
  the two tensors first.
- The autograd engine needs a real GPU for cuda tensors, so ``backward()`` and
  ``torch.autograd.grad`` on fake tensors give every leaf (or input) a zero
  gradient of its own shape, dtype and device, found by walking the graph the
  forward pass recorded. Device mixes happen in forward passes, which run for
  real; what the engine would add is already decided by them.
- ``.item()`` and ``float()`` of a fake tensor have no value to read: 1.0 (Adam's step
  count, so that its bias correction is defined; the losses in a history), but
  0.0 for the GradScaler (no overflow: the optimizer's step is taken).
- ``copy.deepcopy`` of a fake buffer (BatchNorm's statistics, in the averaged
  G and the sampler) would copy a storage the fake tensor lacks: it clones.
- ``torch.save`` cannot pickle a fake tensor: it writes a real tensor of zeros
  of the same shape and dtype, on the CPU, in its place.
- The run's saved random state of the GPUs is a byte tensor of zeros.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack, contextmanager
from unittest import mock

import torch
from torch._subclasses.fake_tensor import (
    FakeTensor,
    FakeTensorMode,
    unset_fake_temporarily,
)
from torch.utils import _pytree

_ASKERS = ("dcgan_lib", "torch.amp", "torch.cuda.amp")  # told that a GPU is there


def _is_available_for(original):
    def is_available() -> bool:
        caller = sys._getframe(1).f_globals.get("__name__", "")
        return caller.startswith(_ASKERS) or original()

    return is_available


def _swap_forgetting(mode: FakeTensorMode, original):
    memo = mode.fake_tensor_converter.meta_converter.tensor_memo

    def swap_tensors(t1, t2):
        for key, value in list(memo.items()):
            if value is t1 or value is t2:
                del memo[key]
        return original(t1, t2)

    return swap_tensors


def _zero_grad_like(tensor):
    return torch.zeros_like(tensor, memory_format=torch.preserve_format)


def _backward_by_shapes(original):
    def backward(self, *args, **kwargs):
        if not isinstance(self, FakeTensor):
            return original(self, *args, **kwargs)
        seen, nodes = set(), [self.grad_fn]
        while nodes:
            node = nodes.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            leaf = getattr(node, "variable", None)  # an AccumulateGrad node
            if leaf is not None:
                grad = _zero_grad_like(leaf)
                leaf.grad = grad if leaf.grad is None else leaf.grad + grad
            nodes.extend(next_node for next_node, _ in node.next_functions)

    return backward


def _grad_by_shapes(original):
    def grad(outputs, inputs, *args, **kwargs):
        several = isinstance(inputs, (list, tuple))
        inputs = tuple(inputs) if several else (inputs,)
        if not any(isinstance(t, FakeTensor) for t in inputs):
            return original(outputs, inputs, *args, **kwargs)
        return tuple(_zero_grad_like(t) for t in inputs)

    return grad


def _value_of(original):
    def value(self):
        if not isinstance(self, FakeTensor):
            return original(self)
        caller = sys._getframe(1).f_globals.get("__name__", "")
        return 0.0 if caller == "torch.amp.grad_scaler" else 1.0

    return value


def _deepcopy_of(original):
    def deepcopy(self, memo):
        if not isinstance(self, FakeTensor):
            return original(self, memo)
        if id(self) not in memo:
            with torch.no_grad():
                memo[id(self)] = self.clone().requires_grad_(self.requires_grad)
        return memo[id(self)]

    return deepcopy


def _save_zeros(original):
    def real_zeros(value):
        if not isinstance(value, FakeTensor):
            return value
        with unset_fake_temporarily():
            return torch.zeros(value.shape, dtype=value.dtype)

    def save(obj, *args, **kwargs):
        return original(_pytree.tree_map(real_zeros, obj), *args, **kwargs)

    return save


@contextmanager
def fake_cuda():
    """Inside: one fake CUDA GPU (a T4), and every new tensor a FakeTensor.
    Yields: the FakeTensorMode."""
    mode = FakeTensorMode(allow_non_fake_inputs=True)
    gpu_rng = [torch.zeros(16, dtype=torch.uint8)]  # made real, before the mode
    tensor = torch.Tensor
    patches = [
        mock.patch(
            "torch.cuda.is_available", _is_available_for(torch.cuda.is_available)
        ),
        mock.patch("torch.cuda.device_count", lambda: 1),
        mock.patch("torch.cuda.get_device_capability", lambda device=None: (7, 5)),
        mock.patch("torch.cuda.get_device_name", lambda device=None: "Tesla T4"),
        mock.patch("torch.cuda.is_bf16_supported", lambda *a, **k: True),
        mock.patch("torch.cuda.get_rng_state_all", lambda: list(gpu_rng)),
        mock.patch("torch.cuda.set_rng_state_all", lambda states: None),
        mock.patch(
            "torch.utils.swap_tensors", _swap_forgetting(mode, torch.utils.swap_tensors)
        ),
        mock.patch.object(tensor, "backward", _backward_by_shapes(tensor.backward)),
        mock.patch("torch.save", _save_zeros(torch.save)),
        mock.patch("torch.autograd.grad", _grad_by_shapes(torch.autograd.grad)),
        mock.patch.object(tensor, "item", _value_of(tensor.item)),
        mock.patch.object(tensor, "__float__", _value_of(tensor.__float__)),
        mock.patch.object(tensor, "__deepcopy__", _deepcopy_of(tensor.__deepcopy__)),
    ]
    with ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        stack.enter_context(mode)
        yield mode
