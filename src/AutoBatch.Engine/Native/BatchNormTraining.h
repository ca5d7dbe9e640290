// BatchNorm2d in training mode over raw float32 buffers, forward and backward, for the TorchSharp engine's built-in
// networks. LibTorch 2.10's CPU kernels spend about 2 ns per element on a forward (statistics and transform) at the
// small batches of ResNet-8, a tenth of a step at B = 8; these take a few passes over memory at vector speed.
// x, y, dy, dx: n x channels x positions (contiguous, NCHW with positions = H W). Per channel, with M = n positions:
// mean and the biased variance in float64 (two passes, eight float64 lanes summed in a fixed tree, so the bits depend
// neither on the thread count nor on AVX-512: the portable code sums the same lanes in the same order). Every pass runs
// over memory in its order, so a large batch streams rather than jumping between samples channel by channel.
#pragma once
#include <cstdint>

namespace ab {

struct BatchNormShape {
  int64_t n, channels, positions;
};

// y = (x - mean) * invstd * weight + bias, as y = fma(x, a, b) with a = invstd weight and b = bias - mean a (float32),
// invstd = 1 / sqrt(var + eps). Writes save_mean and save_invstd (per channel, float32) for the backward. With
// running_mean and running_var non-null (both or neither), updates them as running = (1 - momentum) running +
// momentum batch, with the unbiased variance var M / (M - 1), in float64 rounded once. Needs M >= 2.
void batch_norm_train_forward(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                              double eps, double momentum, float* running_mean, float* running_var, float* y,
                              float* save_mean, float* save_invstd, bool avx512, int threads);

// The gradients of the forward above, given dy: dbias = sum dy, dweight = sum dy (x - mean) invstd, and, with dx
// non-null, dx = (dy - sum dy / M - (x - mean) invstd^2 sum dy (x - mean) / M) invstd weight. The sums in float64
// (eight lanes, as above), the element-wise part in float32.
void batch_norm_train_backward(const BatchNormShape& s, const float* x, const float* dy, const float* save_mean,
                               const float* save_invstd, const float* weight, float* dx, float* dweight, float* dbias,
                               bool avx512, int threads);

}  // namespace ab
