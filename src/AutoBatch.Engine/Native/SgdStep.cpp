#include "SgdStep.h"

#include <immintrin.h>

#include <atomic>
#include <cmath>
#include <limits>

#include "Parallel.h"

namespace ab {
namespace {

// Below this many elements a tensor is updated by the caller alone: a team costs more than the pass.
constexpr int64_t kMinParallel = int64_t(1) << 16;

void step_portable(const SgdTensor& t, int64_t begin, int64_t end, float lr, float mu, float wd, bool nesterov) {
  for (int64_t i = begin; i < end; ++i) {
    float g = std::fma(t.parameter[i], wd, t.gradient[i]);
    float d = g;
    if (mu != 0.0f) {
      float b = t.momentum[i] * mu + g;
      t.momentum[i] = b;
      d = nesterov ? std::fma(b, mu, g) : b;
    }
    t.parameter[i] = std::fma(d, -lr, t.parameter[i]);
  }
}

__attribute__((target("avx512f"))) void step_avx512(const SgdTensor& t, int64_t begin, int64_t end, float lr,
                                                     float mu, float wd, bool nesterov) {
  const __m512 vwd = _mm512_set1_ps(wd), vmu = _mm512_set1_ps(mu), vlr = _mm512_set1_ps(-lr);
  for (int64_t i = begin; i < end; i += 16) {
    __mmask16 m = end - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (end - i)) - 1);
    __m512 p = _mm512_maskz_loadu_ps(m, t.parameter + i);
    __m512 g = _mm512_fmadd_ps(p, vwd, _mm512_maskz_loadu_ps(m, t.gradient + i));
    __m512 d = g;
    if (mu != 0.0f) {
      // b * mu and + g rounded apart, as the two tensor operations do.
      __m512 b = _mm512_add_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, t.momentum + i), vmu), g);
      _mm512_mask_storeu_ps(t.momentum + i, m, b);
      d = nesterov ? _mm512_fmadd_ps(b, vmu, g) : b;
    }
    _mm512_mask_storeu_ps(t.parameter + i, m, _mm512_fmadd_ps(d, vlr, p));
  }
}

bool finite_portable(const float* x, int64_t begin, int64_t end) {
  bool finite = true;
  for (int64_t i = begin; i < end; ++i) finite &= std::isfinite(x[i]);
  return finite;
}

__attribute__((target("avx512f"))) bool finite_avx512(const float* x, int64_t begin, int64_t end) {
  // |x| <= FLT_MAX is false for an infinity and (ordered compare) for a NaN.
  const __m512 limit = _mm512_set1_ps(std::numeric_limits<float>::max());
  __mmask16 all = 0xFFFF;
  for (int64_t i = begin; i < end; i += 16) {
    __mmask16 m = end - i >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (end - i)) - 1);
    __m512 v = _mm512_abs_ps(_mm512_maskz_loadu_ps(m, x + i));
    all &= _mm512_mask_cmp_ps_mask(m, v, limit, _CMP_LE_OQ) | __mmask16(~m);
  }
  return all == 0xFFFF;
}

}  // namespace

void sgd_step(const SgdTensor* tensors, int32_t count, float learning_rate, float momentum, float weight_decay,
              bool nesterov, bool avx512, int threads) {
  for (int32_t k = 0; k < count; ++k) {
    const SgdTensor& t = tensors[k];
    parallel_ranges(t.length, threads, kMinParallel, [&](int64_t begin, int64_t end) {
      if (avx512) {
        step_avx512(t, begin, end, learning_rate, momentum, weight_decay, nesterov);
      } else {
        step_portable(t, begin, end, learning_rate, momentum, weight_decay, nesterov);
      }
    });
  }
}

bool gradients_finite(const SgdTensor* tensors, int32_t count, bool avx512, int threads) {
  for (int32_t k = 0; k < count; ++k) {
    const SgdTensor& t = tensors[k];
    std::atomic<bool> finite{true};
    parallel_ranges(t.length, threads, kMinParallel, [&](int64_t begin, int64_t end) {
      bool part = avx512 ? finite_avx512(t.gradient, begin, end) : finite_portable(t.gradient, begin, end);
      if (!part) finite.store(false, std::memory_order_relaxed);
    });
    if (!finite.load()) return false;
  }
  return true;
}

}  // namespace ab
