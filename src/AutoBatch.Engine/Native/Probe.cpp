// The probe's per-layer Grams: the Gram product of per-sample rows (row_gram), the Linear and BatchNorm layers'
// Grams, the cost model's choice of path, and each site's contribution to F~ (layer_gram). Conv layers: ProbeConv.cpp;
// the analysis of F~ and the probe as a whole: ProbeAnalysis.cpp.
#include "Probe.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "BatchNormSums.h"
#include "BlasGram.h"
#include "Errors.h"
#include "GramKernel.h"
#include "Parallel.h"
#include "ProbeDetail.h"

namespace ab {

using detail::cheaper_path;
using detail::gram_from_rows;
using detail::kMinParallelEntries;
using detail::LayerShape;

// ---------------------------------------------------------------------------------------------------------------
// Symmetric float64 products X X'. ATen's mm computes both triangles; BLAS dsyrk computes one, in half the time and
// with the same per-entry arithmetic (a float64 dot product). libtorch calls BLAS through the Fortran interface of
// libblas.so.3, so dsyrk_ comes from the library it already uses (OpenBLAS here, reference BLAS elsewhere; BlasGram.h).

// rows (n x k, float32 or float64) -> rows rows' (n x n, float64), both triangles filled, products and sums in float64
// (docs/DESIGN.md). The AVX-512 kernel (GramKernel.h) when the CPU has it, unless BLAS is asked for: 1.35-2.05x
// faster than OpenBLAS's dsyrk at B = 128 and 1.1-1.3x at 512 (bench/results/HISTORY.md, section 2'''). BLAS: float32 rows
// are converted a block of columns at a time into a small float64 buffer that dsyrk accumulates from (beta = 1 after
// the first block), without a B x p float64 copy of the rows (37 MiB for ResNet-8's largest layer at B = 128, past
// glibc's mmap threshold, so page-faulted in on every probe).
torch::Tensor row_gram(const torch::Tensor& rows, AbGramKernel kernel, int threads, bool lower_only) {
  auto x = rows.contiguous();
  int64_t n = x.size(0), k = x.size(1);
  if (kernel != AB_GRAM_KERNEL_BLAS && gram_kernel_available() &&
      (x.scalar_type() == torch::kFloat || x.scalar_type() == torch::kDouble)) {
    auto out = torch::empty({n, n}, torch::kDouble);
    if (x.scalar_type() == torch::kFloat) {
      gram_kernel(x.data_ptr<float>(), n, k, k, out.data_ptr<double>(), threads, !lower_only);
    } else {
      gram_kernel(x.data_ptr<double>(), n, k, k, out.data_ptr<double>(), threads, !lower_only);
    }
    return out;
  }
  // Float32 rows are converted a block at a time (BlasGram.h); other types (the probe passes none) as float32.
  if (x.scalar_type() != torch::kDouble && x.scalar_type() != torch::kFloat) x = x.to(torch::kFloat);
  if (k != 0) {
    auto out = torch::empty({n, n}, torch::kDouble);
    bool done = x.scalar_type() == torch::kDouble ? blas_gram(x.data_ptr<double>(), n, k, k, out.data_ptr<double>())
                                                  : blas_gram(x.data_ptr<float>(), n, k, k, out.data_ptr<double>());
    if (done) {
      if (!lower_only) mirror_lower_triangle(out.data_ptr<double>(), n);
      return out;
    }
  }
  auto x64 = x.to(torch::kDouble);  // no BLAS, or sizes beyond its int
  return x64.mm(x64.t());
}

namespace detail {

torch::Tensor all_rows(const RowsFn& rows, int64_t batch, int64_t p, int64_t scratch_per_row, int64_t cap) {
  int64_t chunk = std::max<int64_t>(1, cap / std::max<int64_t>(1, 4 * p + scratch_per_row));
  if (chunk >= batch) return rows(0, batch);
  auto all = torch::empty({batch, p}, torch::kFloat);
  for (int64_t start = 0; start < batch; start += chunk) {
    int64_t count = std::min(chunk, batch - start);
    all.narrow(0, start, count).copy_(rows(start, count));
  }
  return all;
}

torch::Tensor gram_from_rows(const RowsFn& rows, int64_t batch, int64_t p, int64_t scratch_per_row,
                             const GramConfig& config) {
  int64_t cap = config.memory_cap_bytes;
  int64_t row_bytes = 4 * p;
  if (batch * row_bytes <= cap) {
    return row_gram(all_rows(rows, batch, p, scratch_per_row, cap), config.gram_kernel, config.threads,
                    config.lower_only);
  }
  // Two float64 blocks of rows (and one block's scratch) at a time.
  int64_t chunk = std::max<int64_t>(1, cap / std::max<int64_t>(1, 2 * 8 * p + row_bytes + scratch_per_row));
  auto gram = torch::zeros({batch, batch}, torch::kDouble);
  for (int64_t i0 = 0; i0 < batch; i0 += chunk) {
    int64_t ni = std::min(chunk, batch - i0);
    auto pi = rows(i0, ni).to(torch::kDouble);
    gram.slice(0, i0, i0 + ni).slice(1, i0, i0 + ni).copy_(
        row_gram(pi, config.gram_kernel, config.threads, config.lower_only));
    for (int64_t j0 = i0 + ni; j0 < batch; j0 += chunk) {
      int64_t nj = std::min(chunk, batch - j0);
      auto block = pi.mm(rows(j0, nj).to(torch::kDouble).t());
      gram.slice(0, i0, i0 + ni).slice(1, j0, j0 + nj).copy_(block);
      gram.slice(0, j0, j0 + nj).slice(1, i0, i0 + ni).copy_(block.t());
    }
  }
  return gram;
}

}  // namespace detail

namespace {

// delta_{i,t} = B dL/d(output)_{i,t}: the gradient of sample i's own loss term (docs/DESIGN.md).
torch::Tensor scaled_delta(const ProbeSite& s, int64_t batch) { return s.grad_output * double(batch); }

torch::Tensor linear_gram(const ProbeSite& s, int64_t batch, GramPath path, const GramConfig& config) {
  auto* l = dynamic_cast<torch::nn::LinearImpl*>(s.module);
  bool has_bias = l->bias.defined();
  auto a = s.input.reshape({batch, -1});
  if (path == GramPath::Ghost) {
    // T = 1: g_i = delta_i a_i' (and delta_i for the bias), so <g_i, g_j> = (delta_i . delta_j)(a_i . a_j + 1). With
    // delta = B dL/d(output) the factor B^2 multiplies the float64 Gram of the captured gradients (no float32
    // rounding for a B that is not a power of two), in the same pass that combines the two Grams.
    auto dd = row_gram(s.grad_output.reshape({batch, -1}), config.gram_kernel, config.threads, config.lower_only);
    auto aa = row_gram(a, config.gram_kernel, config.threads, config.lower_only);
    double* out = dd.data_ptr<double>();
    const double* inputs = aa.data_ptr<double>();
    double scale = double(batch) * double(batch), bias = has_bias ? 1.0 : 0.0;
    auto combine = [&](int64_t k0, int64_t k1) {
#pragma omp simd
      for (int64_t k = k0; k < k1; ++k) out[k] = (out[k] * scale) * (inputs[k] + bias);
    };
    if (config.lower_only) {
      // Row i's entries 0..i: the upper triangle of dd and aa was never written.
      parallel_ranges(batch, config.threads, kMinParallelEntries / std::max<int64_t>(batch, 1) + 1,
                      [&](int64_t i0, int64_t i1) {
                        for (int64_t i = i0; i < i1; ++i) combine(i * batch, i * batch + i + 1);
                      });
    } else {
      parallel_ranges(batch * batch, config.threads, kMinParallelEntries, combine);
    }
    return dd;
  }
  auto d = scaled_delta(s, batch).reshape({batch, -1});
  int64_t p = a.size(1) * d.size(1) + (has_bias ? d.size(1) : 0);
  auto rows = [&](int64_t start, int64_t count) {
    auto ai = a.narrow(0, start, count);
    auto di = d.narrow(0, start, count);
    auto w = (di.unsqueeze(2) * ai.unsqueeze(1)).reshape({count, -1});
    if (has_bias) w = torch::cat({w, di}, 1);
    return w;
  };
  return gram_from_rows(rows, batch, p, /*scratch_per_row=*/0, config);
}

LayerShape shape_of(const ProbeSite& s) {
  if (s.kind == SiteKind::Linear) {
    auto* l = dynamic_cast<torch::nn::LinearImpl*>(s.module);
    return {l->options.in_features(), l->options.out_features(), 1};
  }
  auto* c = dynamic_cast<torch::nn::Conv2dImpl*>(s.module);
  auto k = c->options.kernel_size();
  int64_t positions = s.grad_output.defined() ? s.grad_output.size(2) * s.grad_output.size(3) : 1;
  return {c->options.in_channels() * k->at(0) * k->at(1), c->options.out_channels(), positions};
}

// ---------------------------------------------------------------------------------------------------------------
torch::Tensor batch_norm_gram(const ProbeSite& s, int64_t batch, const GramConfig& config) {
  // Path-wise per-sample gradients (docs/DESIGN.md): gamma_i = sum_t delta_{i,t} * xhat_{i,t},
  // beta_i = sum_t delta_{i,t}, with xhat normalised by the statistics the forward used (batch statistics in training
  // mode).
  //
  // One fused pass over the float32 input and gradient, every product and sum in float64. Per sample and channel it
  // accumulates, around a per-channel shift K (the running mean, close to the batch mean),
  //   S_x = sum_t (x - K),  S_xx = sum_t (x - K)^2,  S_dx = sum_t delta (x - K),  S_d = sum_t delta;
  // then, with m = mean - K (m = 0 in eval mode, where K is the mean), gamma = (S_dx - m S_d) * invstd and
  // beta = S_d, and in training mode the batch variance is sum S_xx / N - m^2. Float32 values are exact in float64
  // and the products of two are too, so only the float64 sums round (relative ~1e-16 per term); the shift keeps
  // the m S_d and m^2 corrections small, so they cancel no significant digits unless the batch mean is ~1e5
  // standard deviations from the running mean. This replaces converting B x C x H x W tensors to float64 and a dozen
  // passes over them with one read of each input.
  auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(s.module);
  require(s.frozen, "probe: layer " + s.name + " was not frozen before the probe (internal error)");
  auto x = s.input.to(torch::kFloat).contiguous();
  auto d = s.grad_output.to(torch::kFloat).contiguous();
  int64_t n = x.size(0), channels = x.size(1);
  int64_t positions = x.numel() / std::max<int64_t>(1, n * channels);
  const float* xp = x.data_ptr<float>();
  const float* dp = d.data_ptr<float>();
  bool training = s.training;
  bool has_running = s.running_mean.defined() && s.running_var.defined();
  require(training || has_running, "probe: layer " + s.name + " is in eval mode without running statistics");
  std::vector<double> shift(size_t(channels), 0.0);
  if (has_running) {
    auto rm = s.running_mean.to(torch::kDouble).contiguous();
    std::copy(rm.data_ptr<double>(), rm.data_ptr<double>() + channels, shift.begin());
  }
  // factors: n x 2C, S_dx (then gamma) in the first C columns, S_d (then beta) in the last C.
  auto factors = torch::empty({n, 2 * channels}, torch::kDouble);
  double* f = factors.data_ptr<double>();
  // Samples are independent: ranges of them go to the intra-op threads (BatchNormSums.h); each keeps its own S_x and
  // S_xx (sample_sums: n x 2C, S_x in the first C columns, S_xx in the last C), summed over the batch afterwards in
  // sample order (the order does not depend on the threads).
  std::vector<double> sample_sums(size_t(n * 2 * channels));
  // The AVX-512 sums unless BLAS is asked for (the gram kernel option selects the probe's AVX-512 code as a whole).
  bool avx512 = config.gram_kernel != AB_GRAM_KERNEL_BLAS && gram_kernel_available();
  batch_norm_sums(xp, dp, n, channels, positions, shift.data(), avx512, config.threads, sample_sums.data(),
                  sample_sums.data() + channels, f, f + channels, 2 * channels);
  std::vector<double> sum_x(size_t(channels), 0.0), sum_xx(size_t(channels), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < channels; ++c) {
      sum_x[size_t(c)] += sample_sums[size_t(i * 2 * channels + c)];
      sum_xx[size_t(c)] += sample_sums[size_t(i * 2 * channels + channels + c)];
    }
  double count = double(n * positions);
  std::vector<double> offset(size_t(channels), 0.0), invstd(size_t(channels), 0.0);
  if (training) {
    for (int64_t c = 0; c < channels; ++c) {
      double m = sum_x[size_t(c)] / count;
      double var = std::max(0.0, sum_xx[size_t(c)] / count - m * m);  // biased, as the forward normalises
      offset[size_t(c)] = m;
      invstd[size_t(c)] = 1.0 / std::sqrt(var + bn->options.eps());
    }
  } else {
    auto rv = s.running_var.to(torch::kDouble).contiguous();
    for (int64_t c = 0; c < channels; ++c) invstd[size_t(c)] = 1.0 / std::sqrt(rv.data_ptr<double>()[c] + bn->options.eps());
  }
  double scale = double(batch);  // delta = B dL/d(output)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t c = 0; c < channels; ++c) {
      double& gamma = f[i * 2 * channels + c];
      double& beta = f[i * 2 * channels + channels + c];
      gamma = (gamma - offset[size_t(c)] * beta) * invstd[size_t(c)] * scale;
      beta *= scale;
    }
  return row_gram(factors, config.gram_kernel, config.threads, config.lower_only);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
GramConfig gram_config(const AbProbeOptions& o) {
  return {AbGramMode(o.gram_mode), o.memory_cap_bytes, AbConvKernel(o.conv_kernel), AbGramKernel(o.gram_kernel)};
}

GramPath choose_path(const ProbeSite& site, int64_t batch, AbGramMode mode) {
  if (site.kind == SiteKind::BatchNorm) return GramPath::Materialise;
  if (mode == AB_GRAM_GHOST) return GramPath::Ghost;
  if (mode == AB_GRAM_MATERIALISE) return GramPath::Materialise;
  return cheaper_path(shape_of(site), batch);
}

AbLayerPath layer_path(const ProbeSite& site, int64_t batch, AbGramMode mode) {
  if (site.kind == SiteKind::Conv && site.rows.defined()) return AB_LAYER_FUSED;
  return choose_path(site, batch, mode) == GramPath::Ghost ? AB_LAYER_GHOST : AB_LAYER_ROWS;
}

torch::Tensor layer_gram(const ProbeSite& site, int64_t batch, const GramConfig& config) {
  if (site.kind == SiteKind::Conv && site.rows.defined()) {
    // Fused path: the backward stored the per-sample gradients of the mean loss, g_i / B (delta = B dL/d(output),
    // docs/DESIGN.md), so F~ = B^2 rows rows'; the scaling is applied to the float64 Gram, not to the float32 rows.
    torch::NoGradGuard no_grad;
    auto gram = row_gram(site.rows, config.gram_kernel, config.threads, config.lower_only);
    double scale = double(batch) * double(batch);
    if (!config.lower_only) return gram.mul_(scale);
    double* g = gram.data_ptr<double>();
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t j = 0; j <= i; ++j) g[i * batch + j] *= scale;
    return gram;
  }
  if (!site.input.defined() || !site.grad_output.defined()) {
    throw std::runtime_error("probe: layer " + site.name + " captured no input or gradient");
  }
  torch::NoGradGuard no_grad;
  switch (site.kind) {
    case SiteKind::Linear:
      return linear_gram(site, batch, choose_path(site, batch, config.mode), config);
    case SiteKind::Conv: {
      GramConfig c = config;
      c.mode = choose_path(site, batch, config.mode) == GramPath::Ghost ? AB_GRAM_GHOST : AB_GRAM_MATERIALISE;
      return conv_gram(geometry_of(site), site.input, scaled_delta(site, batch), c);
    }
    default:
      return batch_norm_gram(site, batch, config);
  }
}

}  // namespace ab
