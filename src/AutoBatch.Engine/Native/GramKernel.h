// Symmetric float64 Gram products X X' of per-sample rows, the probe's dominant cost (docs/DESIGN.md: products and sums
// in float64). OpenBLAS's dsyrk reaches 10-15 G multiply-adds/s on this project's row shapes (n = B rows of up to 10^5
// float32 values, converted block by block), under half of what one AVX-512 core does; the kernel here packs the rows
// once per column block into float64 and computes the lower triangle with register-tiled FMAs.
#pragma once
#include <cstdint>

namespace ab {

// True when this CPU (and OS) runs the AVX-512 kernel; checked once.
bool gram_kernel_available();

// out (n x n float64, row-major, both triangles; only the lower one, diagonal included, when mirror is false: the
// upper one is then left as it was) = x x' for x: n rows of k values, row i at x + i * ld. Every product
// and sum is float64. Each entry sums its products in column order within blocks of 128 columns (fewer when n > 512),
// then adds the blocks' sums in order, so the result depends only on n and the rows: not on which rows share a
// tile, nor on the thread, nor on how many threads there are. Products of at least 2^22 n * n * k share the rows of
// tiles between up to `threads` threads of an OpenMP team (libgomp, libtorch's own runtime), each packing the rows
// its tiles read. Requires gram_kernel_available().
void gram_kernel(const float* x, int64_t n, int64_t k, int64_t ld, double* out, int threads = 1, bool mirror = true);
void gram_kernel(const double* x, int64_t n, int64_t k, int64_t ld, double* out, int threads = 1, bool mirror = true);

// Copies the lower triangle of a (n x n, row-major) into the upper one, exactly: a becomes symmetric. Whole 8 x 8
// blocks through AVX-512 registers when the CPU has it, entry by entry otherwise.
void mirror_lower_triangle(double* a, int64_t n);

}  // namespace ab
