"""Cuda-specific tests: kernels against the Cpu kernels, sizes larger than one launch grid,
moves between devices. They run on a GPU, or on the CPU emulation with --cuda-emulator."""
