// The exports of libautobatch_kernels (KernelsApi.h): argument checks, then the kernels shared with
// libautobatch_native. Every export runs its body through guarded(), which turns any C++ exception into a status and
// the thread's last error message.
#include "KernelsApi.h"
#include "KernelsApiSupport.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <new>
#include <string>

#include "BatchNormSums.h"
#include "BlasGram.h"
#include "ConvRows.h"
#include "GramKernel.h"
#include "GramSummary.h"
#include "Parallel.h"
#include "Require.h"
#include "SgdStep.h"
#include "Spectrum.h"

using namespace abk;  // NOLINT: the shared support of every export (KernelsApiSupport.h)

namespace {

// The lower triangle (diagonal included) of out = x x' in plain loops, each entry one float64 dot product in column
// order; rows go to the team, so the bits do not depend on it. The path of last resort: no AVX-512F and no BLAS.
template <typename T>
void loop_gram(const T* x, int64_t n, int64_t k, int64_t ld, double* out, int threads) {
  ab::parallel_ranges(n, threads, std::max<int64_t>(1, (int64_t(1) << 20) / std::max<int64_t>(1, n * k)),
                      [&](int64_t i0, int64_t i1) {
                        for (int64_t i = i0; i < i1; ++i)
                          for (int64_t j = 0; j <= i; ++j) {
                            double sum = 0;
                            for (int64_t t = 0; t < k; ++t) sum += double(x[i * ld + t]) * double(x[j * ld + t]);
                            out[i * n + j] = sum;
                          }
                      });
}

template <typename T>
void row_gram(const char* what, const T* rows, int64_t n, int64_t k, int64_t ld, double* out, int32_t kernel,
              int32_t threads, int32_t lower_only) {
  require(n >= 0 && k >= 0, std::string(what) + ": n and k must be >= 0, got n = " + to_string(n) +
                                ", k = " + to_string(k));
  require(ld >= k, std::string(what) + ": the row stride ld (" + to_string(ld) + ") is less than the row length k (" +
                       to_string(k) + ")");
  require_threads(what, threads);
  bool avx512 = use_avx512(what, kernel);
  int64_t entries = product(what, n, n);
  if (n > 0) product(what, n - 1, ld);
  if (entries == 0) return;
  require(out != nullptr, std::string(what) + ": the output is null");
  if (k == 0) {
    // Zeros; the kernels' own k = 0 case writes both triangles, which lower_only must not.
    for (int64_t i = 0; i < n; ++i) std::fill(out + i * n, out + i * n + (lower_only ? i + 1 : n), 0.0);
    return;
  }
  require(rows != nullptr, std::string(what) + ": the rows are null");
  if (avx512) {
    ab::gram_kernel(rows, n, k, ld, out, threads, lower_only == 0);
    return;
  }
  if (!ab::blas_gram(rows, n, k, ld, out)) {
    if (kernel == ABK_GRAM_BLAS) {
      throw NotAvailable(std::string(what) +
                         ": kernel blas was asked for, but no BLAS dsyrk was found (libblas.so.3 from "
                         "libopenblas0-pthread), or n, k or ld exceed its int");
    }
    loop_gram(rows, n, k, ld, out, threads);
  }
  if (lower_only == 0) ab::mirror_lower_triangle(out, n);
}

}  // namespace

ABK_EXPORT const char* abk_last_error(void) { return g_last_error.c_str(); }

ABK_EXPORT int32_t abk_avx512_available(int32_t* available) {
  return guarded([&] {
    require(available != nullptr, "abk_avx512_available: the output is null");
    *available = ab::gram_kernel_available() ? 1 : 0;
  });
}

ABK_EXPORT int32_t abk_row_gram_f32(const float* rows, int64_t n, int64_t k, int64_t ld, double* out, int32_t kernel,
                                    int32_t threads, int32_t lower_only) {
  return guarded([&] { row_gram("abk_row_gram_f32", rows, n, k, ld, out, kernel, threads, lower_only); });
}

ABK_EXPORT int32_t abk_row_gram_f64(const double* rows, int64_t n, int64_t k, int64_t ld, double* out, int32_t kernel,
                                    int32_t threads, int32_t lower_only) {
  return guarded([&] { row_gram("abk_row_gram_f64", rows, n, k, ld, out, kernel, threads, lower_only); });
}

ABK_EXPORT int32_t abk_mirror_lower(double* matrix, int64_t n) {
  return guarded([&] {
    require(n >= 0, "abk_mirror_lower: n must be >= 0, got " + to_string(n));
    if (product("abk_mirror_lower", n, n) == 0) return;
    require(matrix != nullptr, "abk_mirror_lower: the matrix is null");
    ab::mirror_lower_triangle(matrix, n);
  });
}

ABK_EXPORT int32_t abk_direct_conv_rows(const AbkConvShape* shape, const float* x, const float* delta, int64_t n,
                                        float* out, int64_t ld, int32_t threads) {
  return guarded([&] {
    constexpr const char* what = "abk_direct_conv_rows";
    require(shape != nullptr, "abk_direct_conv_rows: the shape is null");
    const AbkConvShape& s = *shape;
    require(n >= 0, "abk_direct_conv_rows: n must be >= 0, got " + to_string(n));
    require(s.channels >= 1 && s.height >= 1 && s.width >= 1 && s.out_channels >= 1 && s.kernel_height >= 1 &&
                s.kernel_width >= 1 && s.stride_height >= 1 && s.stride_width >= 1 && s.pad_height >= 0 &&
                s.pad_width >= 0,
            "abk_direct_conv_rows: channels, sizes, kernel and stride must be >= 1 and padding >= 0");
    // Every size below 2^24: no product of a few of them overflows, and the kernel's tiles index with int64.
    constexpr int64_t kMaxSize = int64_t(1) << 24;
    for (int64_t v : {s.channels, s.height, s.width, s.out_channels, s.kernel_height, s.kernel_width, s.stride_height,
                      s.stride_width, s.pad_height, s.pad_width})
      require(v < kMaxSize, "abk_direct_conv_rows: a size or count of " + to_string(v) + " is out of range");
    int64_t padded_h = s.height + 2 * s.pad_height, padded_w = s.width + 2 * s.pad_width;
    require(s.kernel_height <= padded_h && s.kernel_width <= padded_w,
            "abk_direct_conv_rows: the " + to_string(s.kernel_height) + " x " + to_string(s.kernel_width) +
                " kernel does not fit the padded " + to_string(padded_h) + " x " + to_string(padded_w) + " input");
    int64_t ho = (padded_h - s.kernel_height) / s.stride_height + 1;
    int64_t wo = (padded_w - s.kernel_width) / s.stride_width + 1;
    require(s.out_height == ho && s.out_width == wo,
            "abk_direct_conv_rows: the output is " + to_string(s.out_height) + " x " + to_string(s.out_width) +
                ", the geometry gives " + to_string(ho) + " x " + to_string(wo));
    int64_t row = product(what, product(what, s.out_channels, s.channels), s.kernel_height * s.kernel_width);
    require(ld >= row, "abk_direct_conv_rows: the row stride ld (" + to_string(ld) + ") is less than the " +
                           to_string(row) + " gradients of a row");
    require_threads(what, threads);
    product(what, n, ld);
    product(what, n, product(what, s.channels, s.height * s.width));
    product(what, n, product(what, s.out_channels, ho * wo));
    if (n == 0) return;
    require(x != nullptr && delta != nullptr && out != nullptr, "abk_direct_conv_rows: x, delta or out is null");
    if (!ab::gram_kernel_available()) {
      throw NotAvailable("abk_direct_conv_rows: the direct conv kernel needs AVX-512F, which this CPU has not");
    }
    ab::DirectConvShape shape_in{s.channels,      s.height,       s.width,      s.out_channels,
                                 s.out_height,    s.out_width,    s.kernel_height, s.kernel_width,
                                 s.stride_height, s.stride_width, s.pad_height,   s.pad_width};
    ab::direct_conv_rows(shape_in, x, delta, n, out, ld, threads);
  });
}

ABK_EXPORT int32_t abk_batch_norm_sums(const float* x, const float* delta, int64_t n, int64_t channels,
                                       int64_t positions, const double* shift, int32_t kernel, int32_t threads,
                                       double* sum_x, double* sum_xx, double* sum_dx, double* sum_d) {
  return guarded([&] {
    constexpr const char* what = "abk_batch_norm_sums";
    require(n >= 0 && channels >= 0 && positions >= 0,
            "abk_batch_norm_sums: n, channels and positions must be >= 0, got " + to_string(n) + ", " +
                to_string(channels) + ", " + to_string(positions));
    require_threads(what, threads);
    bool avx512 = use_avx512(what, kernel);
    int64_t sums = product(what, n, channels);
    product(what, sums, positions);
    if (channels > 0) require(shift != nullptr, "abk_batch_norm_sums: the shift is null");
    if (sums == 0) return;
    require(sum_x && sum_xx && sum_dx && sum_d, "abk_batch_norm_sums: an output is null");
    require(positions == 0 || (x != nullptr && delta != nullptr), "abk_batch_norm_sums: x or delta is null");
    ab::batch_norm_sums(x, delta, n, channels, positions, shift, avx512, threads, sum_x, sum_xx, sum_dx, sum_d,
                        channels);
  });
}

ABK_EXPORT int32_t abk_gram_summary(const double* gram, int64_t n, double* symmetric, int32_t threads,
                                    AbkGramSummary* out) {
  return guarded([&] {
    require(n >= 0, "abk_gram_summary: n must be >= 0, got " + to_string(n));
    require_threads("abk_gram_summary", threads);
    int64_t entries = product("abk_gram_summary", n, n);
    require(out != nullptr, "abk_gram_summary: the output is null");
    require(gram != nullptr || entries == 0, "abk_gram_summary: the matrix is null");
    const double* g = gram;
    if (symmetric != nullptr && entries > 0) {
      auto a = reinterpret_cast<uintptr_t>(gram), s = reinterpret_cast<uintptr_t>(symmetric);
      uintptr_t bytes = uintptr_t(entries) * sizeof(double);
      require(s + bytes <= a || a + bytes <= s, "abk_gram_summary: the symmetric output overlaps the matrix");
      ab::symmetrise(gram, symmetric, n, threads);
      g = symmetric;
    }
    ab::GramSummary summary = ab::summarise_gram(g, n);
    *out = AbkGramSummary{summary.finite ? 1 : 0, summary.max_abs, summary.total, summary.trace};
  });
}

ABK_EXPORT int32_t abk_spectrum_extremes(const double* gram, int64_t n, double max_abs, double rank_tolerance,
                                         AbkSpectrumExtremes* out) {
  return guarded([&] {
    require(n >= 1, "abk_spectrum_extremes: n must be >= 1, got " + to_string(n));
    require(gram != nullptr && out != nullptr, "abk_spectrum_extremes: the matrix or the output is null");
    require(std::isfinite(max_abs) && max_abs > 0,
            "abk_spectrum_extremes: max_abs must be a positive finite number (the matrix is not all zero), got " +
                to_string(max_abs));
    require(std::isfinite(rank_tolerance) && rank_tolerance >= 0 && rank_tolerance < 1,
            "abk_spectrum_extremes: the rank tolerance must be in [0, 1), got " + to_string(rank_tolerance));
    product("abk_spectrum_extremes", n, n);
    // The rank counts the eigenvalues (clamped at 0) with sqrt(lambda) > sqrt(lambda_max) * tolerance.
    auto threshold = [&](double lambda_max) {
      double sigma = std::sqrt(lambda_max) * rank_tolerance;
      return sigma * sigma;
    };
    ab::SpectrumExtremes x;
    if (!ab::spectrum_extremes(gram, n, max_abs, threshold, &x)) {
      throw NotAvailable(n > 46340 ? "abk_spectrum_extremes: n = " + to_string(n) +
                                         " is beyond LAPACK's int (n * n must fit); compute the whole spectrum"
                                   : std::string("abk_spectrum_extremes: LAPACK's dsytrd was not found (liblapack.so.3 "
                                                 "from libopenblas0-pthread), declined the matrix, or its entries are "
                                                 "all subnormal; compute the whole spectrum"));
    }
    *out = AbkSpectrumExtremes{x.lambda_max, x.rank, x.lambda_min_positive};
  });
}

namespace {

// The tensors of an SGD call, checked: count >= 0, lengths in range, the pointers the call reads present.
const ab::SgdTensor* sgd_tensors(const char* what, const AbkSgdTensor* tensors, int32_t count, bool parameters,
                                 bool momentum) {
  static_assert(sizeof(AbkSgdTensor) == sizeof(ab::SgdTensor), "AbkSgdTensor and ab::SgdTensor must match");
  require(count >= 0, std::string(what) + ": count must be >= 0, got " + to_string(count));
  require(count == 0 || tensors != nullptr, std::string(what) + ": the tensors are null");
  for (int32_t k = 0; k < count; ++k) {
    const AbkSgdTensor& t = tensors[k];
    require(t.length >= 0 && t.length <= kMaxElements,
            std::string(what) + ": tensor " + to_string(k) + " has length " + to_string(t.length));
    if (t.length == 0) continue;
    require(t.gradient != nullptr, std::string(what) + ": tensor " + to_string(k) + "'s gradient is null");
    require(!parameters || t.parameter != nullptr,
            std::string(what) + ": tensor " + to_string(k) + "'s parameter is null");
    require(!momentum || t.momentum != nullptr,
            std::string(what) + ": tensor " + to_string(k) + "'s momentum buffer is null");
  }
  return reinterpret_cast<const ab::SgdTensor*>(tensors);
}

}  // namespace

ABK_EXPORT int32_t abk_sgd_step(const AbkSgdTensor* tensors, int32_t count, const AbkSgdSettings* settings,
                                int32_t threads) {
  return guarded([&] {
    constexpr const char* what = "abk_sgd_step";
    require(settings != nullptr, "abk_sgd_step: the settings are null");
    const AbkSgdSettings& s = *settings;
    require(std::isfinite(s.learning_rate) && s.learning_rate > 0,
            "abk_sgd_step: the learning rate must be finite and > 0, got " + to_string(s.learning_rate));
    require(s.momentum >= 0 && s.momentum < 1, "abk_sgd_step: momentum must be in [0, 1), got " + to_string(s.momentum));
    require(std::isfinite(s.weight_decay) && s.weight_decay >= 0,
            "abk_sgd_step: weight decay must be finite and >= 0, got " + to_string(s.weight_decay));
    require(s.nesterov == 0 || (s.nesterov == 1 && s.momentum > 0),
            "abk_sgd_step: nesterov must be 0 or 1, and 1 needs momentum > 0");
    require_threads(what, threads);
    const ab::SgdTensor* checked = sgd_tensors(what, tensors, count, true, s.momentum != 0);
    bool avx512 = use_avx512(what, s.kernel);
    ab::sgd_step(checked, count, float(s.learning_rate), float(s.momentum), float(s.weight_decay), s.nesterov == 1,
                 avx512, threads);
  });
}

ABK_EXPORT int32_t abk_gradients_finite(const AbkSgdTensor* tensors, int32_t count, int32_t kernel, int32_t threads,
                                        int32_t* finite) {
  return guarded([&] {
    constexpr const char* what = "abk_gradients_finite";
    require(finite != nullptr, "abk_gradients_finite: the output is null");
    require_threads(what, threads);
    bool avx512 = use_avx512(what, kernel);
    const ab::SgdTensor* checked = sgd_tensors(what, tensors, count, false, false);
    *finite = ab::gradients_finite(checked, count, avx512, threads) ? 1 : 0;
  });
}

