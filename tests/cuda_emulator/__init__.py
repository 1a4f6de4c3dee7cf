"""A CPU emulation of the Cuda device for tests on machines without a GPU.

Every ``.cu`` file is compiled with g++ against ``cuda_emulator.h`` into a shared library;
``EmulatedContext`` stands in for ``CudaContext``: device memory is host memory, a launch
calls the kernel once per block (one thread each, blocks in order), cuBLAS is numpy on the
same memory. ``pytest --cuda-emulator`` runs the ``cuda`` test parameters on it. It checks a
kernel's indexing, arithmetic and the Python glue; races, occupancy and anything PTX-specific
need the real GPU (``scripts/gpu_check.sh``).
"""
