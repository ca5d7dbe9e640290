#include "BatchNormTraining.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "Parallel.h"

namespace ab {
namespace {

constexpr int kLanes = 8;
// Channels go to the team in ranges of at least this many values (see BatchNormSums.cpp).
constexpr int64_t kMinParallelEntries = int64_t(1) << 15;

// Each channel's sums are kept in eight float64 lanes: value t of a row goes to lane t mod 8 (a row's tail to lanes
// 0, 1, ...), rows in sample order; the lanes are then added in a fixed tree. The passes run over memory in its own
// order (sample by sample, channel by channel), which keeps every channel's order of additions and streams the tensor.
double lane_total(const double* l) {
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

void add_row_portable(double* lanes, const float* x, int64_t positions) {
  for (int64_t t = 0; t < positions; ++t) lanes[t % kLanes] += double(x[t]);
}

void add_squares_portable(double* lanes, const float* x, int64_t positions, double mean) {
  for (int64_t t = 0; t < positions; ++t) {
    double d = double(x[t]) - mean;
    lanes[t % kLanes] = std::fma(d, d, lanes[t % kLanes]);
  }
}

void add_gradient_portable(double* sum_dy, double* sum_dy_centred, const float* x, const float* dy,
                           int64_t positions, double mean) {
  for (int64_t t = 0; t < positions; ++t) {
    double g = double(dy[t]);
    sum_dy[t % kLanes] += g;
    sum_dy_centred[t % kLanes] = std::fma(g, double(x[t]) - mean, sum_dy_centred[t % kLanes]);
  }
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target("avx512f"))) inline __m512d load8(const float* p, int64_t left) {
  if (left >= kLanes) return _mm512_cvtps_pd(_mm256_loadu_ps(p));
  auto m = __mmask16((1u << left) - 1);
  return _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_maskz_loadu_ps(m, p)));
}
#pragma GCC diagnostic pop

__attribute__((target("avx512f"))) inline __mmask8 mask8(int64_t left) {
  return left >= kLanes ? __mmask8(0xFF) : __mmask8((1u << left) - 1);
}

__attribute__((target("avx512f"))) inline __mmask16 mask16(int64_t left) {
  return left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
}

__attribute__((target("avx512f"))) void add_row_avx512(double* lanes, const float* x, int64_t positions) {
  __m512d acc = _mm512_loadu_pd(lanes);
  for (int64_t t = 0; t < positions; t += kLanes) {
    acc = _mm512_mask_add_pd(acc, mask8(positions - t), acc, load8(x + t, positions - t));
  }
  _mm512_storeu_pd(lanes, acc);
}

__attribute__((target("avx512f"))) void add_squares_avx512(double* lanes, const float* x, int64_t positions,
                                                           double mean) {
  const __m512d mv = _mm512_set1_pd(mean);
  __m512d acc = _mm512_loadu_pd(lanes);
  for (int64_t t = 0; t < positions; t += kLanes) {
    __m512d d = _mm512_sub_pd(load8(x + t, positions - t), mv);
    acc = _mm512_mask3_fmadd_pd(d, d, acc, mask8(positions - t));
  }
  _mm512_storeu_pd(lanes, acc);
}

__attribute__((target("avx512f"))) void add_gradient_avx512(double* sum_dy, double* sum_dy_centred, const float* x,
                                                            const float* dy, int64_t positions, double mean) {
  const __m512d mv = _mm512_set1_pd(mean);
  __m512d s = _mm512_loadu_pd(sum_dy), sd = _mm512_loadu_pd(sum_dy_centred);
  for (int64_t t = 0; t < positions; t += kLanes) {
    __mmask8 m = mask8(positions - t);
    __m512d g = load8(dy + t, positions - t);
    __m512d d = _mm512_sub_pd(load8(x + t, positions - t), mv);
    s = _mm512_mask_add_pd(s, m, s, g);
    sd = _mm512_mask3_fmadd_pd(g, d, sd, m);
  }
  _mm512_storeu_pd(sum_dy, s);
  _mm512_storeu_pd(sum_dy_centred, sd);
}

// out = fma(x, a, b)
__attribute__((target("avx512f"))) void affine_avx512(float* out, const float* x, int64_t positions, float a, float b) {
  const __m512 av = _mm512_set1_ps(a), bv = _mm512_set1_ps(b);
  for (int64_t t = 0; t < positions; t += 16) {
    __mmask16 m = mask16(positions - t);
    _mm512_mask_storeu_ps(out + t, m, _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + t), av, bv));
  }
}

// dx = fma(dy, a, fma(x - mean, bx, c)), x - mean in float32 as LibTorch forms it
__attribute__((target("avx512f"))) void input_gradient_avx512(float* dx, const float* x, const float* dy,
                                                              int64_t positions, float mean, float a, float bx,
                                                              float c) {
  const __m512 meanv = _mm512_set1_ps(mean), av = _mm512_set1_ps(a), bv = _mm512_set1_ps(bx), cv = _mm512_set1_ps(c);
  for (int64_t t = 0; t < positions; t += 16) {
    __mmask16 m = mask16(positions - t);
    __m512 centred = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + t), meanv);
    __m512 inner = _mm512_fmadd_ps(centred, bv, cv);
    _mm512_mask_storeu_ps(dx + t, m, _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, dy + t), av, inner));
  }
}

// Calls body(c0, c1) for ranges of channels split over the team; each range's work depends only on its channels.
template <typename Body>
void for_channel_ranges(const BatchNormShape& s, int threads, Body body) {
  int64_t per_channel = std::max<int64_t>(s.n * s.positions, 1);
  parallel_ranges(s.channels, threads, kMinParallelEntries / per_channel + 1,
                  [&](int64_t c0, int64_t c1) { body(c0, c1); });
}

// The row of sample i and channel c.
inline int64_t row(const BatchNormShape& s, int64_t i, int64_t c) { return (i * s.channels + c) * s.positions; }

}  // namespace

void batch_norm_train_forward(const BatchNormShape& s, const float* x, const float* weight, const float* bias,
                              double eps, double momentum, float* running_mean, float* running_var, float* y,
                              float* save_mean, float* save_invstd, bool avx512, int threads) {
  const double count = double(s.n * s.positions);
  for_channel_ranges(s, threads, [&](int64_t c0, int64_t c1) {
    const int64_t width = c1 - c0;
    const auto channels = static_cast<size_t>(width);
    std::vector<double> lanes(channels * kLanes, 0.0), mean(channels);
    for (int64_t i = 0; i < s.n; ++i) {
      for (int64_t c = c0; c < c1; ++c) {
        double* l = lanes.data() + (c - c0) * kLanes;
        if (avx512) add_row_avx512(l, x + row(s, i, c), s.positions);
        else add_row_portable(l, x + row(s, i, c), s.positions);
      }
    }
    for (int64_t c = c0; c < c1; ++c) mean[size_t(c - c0)] = lane_total(lanes.data() + (c - c0) * kLanes) / count;
    std::fill(lanes.begin(), lanes.end(), 0.0);
    for (int64_t i = 0; i < s.n; ++i) {
      for (int64_t c = c0; c < c1; ++c) {
        double* l = lanes.data() + (c - c0) * kLanes;
        if (avx512) add_squares_avx512(l, x + row(s, i, c), s.positions, mean[size_t(c - c0)]);
        else add_squares_portable(l, x + row(s, i, c), s.positions, mean[size_t(c - c0)]);
      }
    }
    std::vector<float> a(channels), b(channels);
    for (int64_t c = c0; c < c1; ++c) {
      double m = mean[size_t(c - c0)];
      double squares = lane_total(lanes.data() + (c - c0) * kLanes);
      double invstd = 1.0 / std::sqrt(squares / count + eps);
      save_mean[c] = float(m);
      save_invstd[c] = float(invstd);
      if (running_mean != nullptr) {
        running_mean[c] = float((1.0 - momentum) * double(running_mean[c]) + momentum * m);
        running_var[c] = float((1.0 - momentum) * double(running_var[c]) + momentum * squares / (count - 1.0));
      }
      a[size_t(c - c0)] = float(invstd * double(weight[c]));
      b[size_t(c - c0)] = float(double(bias[c]) - m * double(a[size_t(c - c0)]));
    }
    for (int64_t i = 0; i < s.n; ++i) {
      for (int64_t c = c0; c < c1; ++c) {
        const float* xr = x + row(s, i, c);
        float* yr = y + row(s, i, c);
        float ac = a[size_t(c - c0)], bc = b[size_t(c - c0)];
        if (avx512) {
          affine_avx512(yr, xr, s.positions, ac, bc);
        } else {
          for (int64_t t = 0; t < s.positions; ++t) yr[t] = std::fma(xr[t], ac, bc);
        }
      }
    }
  });
}

void batch_norm_train_backward(const BatchNormShape& s, const float* x, const float* dy, const float* save_mean,
                               const float* save_invstd, const float* weight, float* dx, float* dweight, float* dbias,
                               bool avx512, int threads) {
  const double count = double(s.n * s.positions);
  for_channel_ranges(s, threads, [&](int64_t c0, int64_t c1) {
    const int64_t width = c1 - c0;
    const auto channels = static_cast<size_t>(width);
    std::vector<double> sum_dy(channels * kLanes, 0.0), sum_dy_centred(channels * kLanes, 0.0);
    for (int64_t i = 0; i < s.n; ++i) {
      for (int64_t c = c0; c < c1; ++c) {
        double* l = sum_dy.data() + (c - c0) * kLanes;
        double* ld = sum_dy_centred.data() + (c - c0) * kLanes;
        double m = double(save_mean[c]);
        if (avx512) add_gradient_avx512(l, ld, x + row(s, i, c), dy + row(s, i, c), s.positions, m);
        else add_gradient_portable(l, ld, x + row(s, i, c), dy + row(s, i, c), s.positions, m);
      }
    }
    // dx = (dy - sum_dy / M - (x - mean) k) a with k = invstd^2 sum_dy_centred / M and a = invstd weight:
    // dx = dy a + (x - mean) (-k a) - (sum_dy / M) a. The centring stays a subtraction of its own: folded into the
    // constant (x (-k a) + mean k a) it cancels when the channel's mean is large against its spread, and dx lost
    // ~|mean|/std of float32's precision (1.4e-4 of the gradient's terms at mean 1,000 and spread 0.1).
    std::vector<float> fa(channels), fb(channels), fc(channels);
    for (int64_t c = c0; c < c1; ++c) {
      double total = lane_total(sum_dy.data() + (c - c0) * kLanes);
      double centred = lane_total(sum_dy_centred.data() + (c - c0) * kLanes);
      double invstd = double(save_invstd[c]);
      dbias[c] = float(total);
      dweight[c] = float(centred * invstd);
      double a = invstd * double(weight[c]);
      double k = invstd * invstd * centred / count;
      fa[size_t(c - c0)] = float(a);
      fb[size_t(c - c0)] = float(-k * a);
      fc[size_t(c - c0)] = float(-(total / count) * a);
    }
    if (dx == nullptr) return;
    for (int64_t i = 0; i < s.n; ++i) {
      for (int64_t c = c0; c < c1; ++c) {
        const float* xr = x + row(s, i, c);
        const float* gr = dy + row(s, i, c);
        float* out = dx + row(s, i, c);
        float a = fa[size_t(c - c0)], b = fb[size_t(c - c0)], constant = fc[size_t(c - c0)], mean = save_mean[c];
        if (avx512) {
          input_gradient_avx512(out, xr, gr, s.positions, mean, a, b, constant);
        } else {
          for (int64_t t = 0; t < s.positions; ++t) out[t] = std::fma(gr[t], a, std::fma(xr[t] - mean, b, constant));
        }
      }
    }
  });
}

}  // namespace ab
