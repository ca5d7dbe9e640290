// The optimiser's step and the gradients' finiteness check over raw float32 buffers, one call for all of a network's
// parameters. Through tensor operations each parameter costs five dispatched element-wise operations and as many
// passes over memory; here it is one pass, and one call from the managed side instead of a few hundred.
#pragma once
#include <cstdint>

namespace ab {

// One trained parameter: its values, its gradient and its momentum buffer, `length` float32 each, not overlapping.
struct SgdTensor {
  float* parameter;
  const float* gradient;
  float* momentum;
  int64_t length;
};

// With g the gradient, p the parameter and b the momentum buffer, element by element:
//   g' = fma(p, weight_decay, g);  b = b * momentum + g';  d = nesterov ? fma(b, momentum, g') : b;  p = fma(d, -lr, p)
// in float32, each fma rounded once: the same bits as the tensor operations g.add_(p, wd), b.mul_(mu).add_(g'),
// g'.add_(b, mu), p.add_(d, -lr) whose vectorised loops fuse their multiply-adds. momentum = 0 skips the buffer
// (d = g'), which is then not read. The gradient is not written. Element-wise, so the bits do not depend on threads.
void sgd_step(const SgdTensor* tensors, int32_t count, float learning_rate, float momentum, float weight_decay,
              bool nesterov, bool avx512, int threads);

// True when every gradient element of every tensor is finite.
bool gradients_finite(const SgdTensor* tensors, int32_t count, bool avx512, int threads);

}  // namespace ab
