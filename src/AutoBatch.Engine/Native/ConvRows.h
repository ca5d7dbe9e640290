// Per-sample weight gradients of a convolution, the rows the probe's Gram multiplies (the probe's materialised path),
// computed directly in AVX-512 code: for each sample,
//   g[o, ky, kx, c] = sum_(y,x) delta[o, y, x] xpad[c, s y + ky, s x + kx].
// Measured against libtorch's grouped-convolution backward (the portable path): bench/results/HISTORY.md, section 2'''''''.
#pragma once
#include <cstdint>

namespace ab {

// The shapes the direct kernel takes: groups 1, dilation 1 (checked by the caller), any kernel size, stride and zero
// padding. x: n x C x H x W, d: n x O x Ho x Wo (the output gradient), both contiguous float32. out: n rows of ld
// floats; row i gets the O * kh * kw * C weight gradients of sample i in (o, ky, kx, c) order (PyTorch's weight order
// is (o, c, ky, kx): the Gram does not depend on the order of the columns, and the caller permutes the batch gradient
// back). Every product and sum is float32 with fused multiply-adds, each gradient summed over output positions in
// row-major order. Samples are shared between up to `threads` threads of an OpenMP team; each row is computed by one
// thread in the same order, so the bits do not depend on the number of threads. Requires gram_kernel_available()
// (AVX-512F).
struct DirectConvShape {
  int64_t channels, height, width;              // C, H, W
  int64_t out_channels, out_height, out_width;  // O, Ho, Wo
  int64_t kernel_height, kernel_width, stride_height, stride_width, pad_height, pad_width;
};

void direct_conv_rows(const DirectConvShape& shape, const float* x, const float* d, int64_t n, float* out,
                      int64_t ld, int threads);

}  // namespace ab
