// The probe as a whole: its options checked, the sites frozen, the layer Grams summed into F~ (run_probe), and F~'s
// spectrum and the paper's measures (analyse_gram).
#include "Probe.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "Errors.h"
#include "GramKernel.h"
#include "GramSummary.h"
#include "Parallel.h"
#include "ProbeDetail.h"
#include "Spectrum.h"

namespace ab {

using Clock = std::chrono::steady_clock;
using detail::kMinParallelEntries;

namespace {

constexpr double kFloat32Epsilon = 1.1920928955078125e-07;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Long float64 sums run in kLanes interleaved partial sums (element k in lane k % kLanes), which lane_total adds in a
// fixed order: independent chains instead of one serial one (whose add latency bounds it), which the compiler may
// also vectorise, and the same value whether it does or not. The loops over the lanes are unrolled (#pragma GCC
// unroll), or GCC keeps the partial sums in memory at -O2 and every add waits for a store.
constexpr int kLanes = 4;
static_assert(kLanes == 4, "lane_total combines four lanes");

double lane_total(const double (&lanes)[kLanes]) { return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]); }

}  // namespace

void validate_probe_options(const AbProbeOptions& o, int64_t layer_count) {
  require(o.gram_mode >= AB_GRAM_AUTO && o.gram_mode <= AB_GRAM_MATERIALISE,
          "probe: gram mode must be 0 (auto), 1 (ghost) or 2 (materialise), got " + std::to_string(o.gram_mode));
  require(o.conv_kernel >= AB_CONV_AUTO && o.conv_kernel <= AB_CONV_DIRECT,
          "probe: conv kernel must be 0 (auto), 1 (unfold), 2 (grouped) or 3 (direct), got " +
              std::to_string(o.conv_kernel));
  require(o.conv_kernel != AB_CONV_DIRECT || gram_kernel_available(),
          "probe: conv kernel direct was asked for, but this CPU has no AVX-512F (use auto or grouped)");
  require(o.gram_kernel >= AB_GRAM_KERNEL_AUTO && o.gram_kernel <= AB_GRAM_KERNEL_AVX512,
          "probe: gram kernel must be 0 (auto), 1 (blas) or 2 (avx512), got " + std::to_string(o.gram_kernel));
  require(o.gram_kernel != AB_GRAM_KERNEL_AVX512 || gram_kernel_available(),
          "probe: gram kernel avx512 was asked for, but this CPU has no AVX-512F (use auto or blas)");
  require(o.memory_cap_bytes >= (int64_t(1) << 10),
          "probe: memory cap must be at least 1 KiB, got " + std::to_string(o.memory_cap_bytes) + " bytes");
  require(std::isfinite(o.rank_tolerance) && o.rank_tolerance < 1.0,
          "probe: rank tolerance must be finite and < 1 (<= 0 selects B * eps_float32)");
  require((o.layer_traces == nullptr && o.layer_sums == nullptr && o.layer_paths == nullptr) ||
              o.layer_trace_capacity >= layer_count,
          "probe: layer trace buffer holds " + std::to_string(o.layer_trace_capacity) + " values, the model has " +
              std::to_string(layer_count) + " probed layers");
}

// The 'reference' rank rule (docs/DESIGN.md, 'The spectrum and the rank rule'): every eigenvalue of F~ in float32,
// negatives clamped to 0, and every one that is then not exactly 0 counts. The float32 solver's rounding decides which
// eigenvalues of a rank-deficient F~ come out positive; that is the rule, measured against the tolerance rule.
static void reference_spectrum(const torch::Tensor& gram, AbProbeResult* r) {
  auto eig = torch::linalg_eigvalsh(gram.to(torch::kFloat)).clamp_min(0.0f).contiguous();  // ascending
  const float* ev = eig.data_ptr<float>();
  int64_t batch = eig.size(0);
  int32_t rank = 0;
  for (int64_t i = 0; i < batch; ++i)
    if (ev[i] > 0.0f) ++rank;
  r->reference_rank = rank;
  r->reference_lambda_max = double(ev[batch - 1]);
  r->reference_lambda_min_positive = rank > 0 ? double(ev[batch - rank]) : 0.0;
}

void analyse_gram(const torch::Tensor& gram_in, const std::vector<double>& layer_traces,
                  const std::vector<double>& layer_sums, const AbProbeOptions& o, AbProbeResult* r, int threads,
                  bool symmetric) {
  int64_t batch = gram_in.size(0);
  *r = AbProbeResult{};
  // Symmetrise F~, then one pass collects finiteness, max |entry|, the sum and the trace (GramSummary.h). Of a
  // symmetric matrix (a + a') / 2 is the matrix itself, so that pass is skipped when the caller guarantees one.
  auto in = gram_in.to(torch::kDouble).contiguous();
  auto gram = in;
  if (!symmetric) {
    gram = torch::empty({batch, batch}, torch::kDouble);
    symmetrise(in.data_ptr<double>(), gram.data_ptr<double>(), batch, threads);
  }
  const double* g = gram.data_ptr<double>();
  GramSummary summary = summarise_gram(g, batch);
  bool finite = summary.finite;
  double total = summary.total, max_abs = summary.max_abs, trace = summary.trace;
  if (o.gram) std::memcpy(o.gram, g, sizeof(double) * batch * batch);
  if (o.layer_traces) std::copy(layer_traces.begin(), layer_traces.end(), o.layer_traces);
  if (o.layer_sums) std::copy(layer_sums.begin(), layer_sums.end(), o.layer_sums);
  if (o.eigenvalues) std::fill(o.eigenvalues, o.eigenvalues + batch, 0.0);
  r->trace = trace;
  if (!finite) {
    r->status = AB_PROBE_NONFINITE;
    r->trace = 0;
    return;
  }
  if (max_abs == 0.0) {
    r->status = AB_PROBE_ZERO;
    return;
  }
  double tolerance = o.rank_tolerance > 0 ? o.rank_tolerance : double(batch) * kFloat32Epsilon;
  // The rank counts the eigenvalues (clamped at 0) with sqrt(lambda) > sqrt(lambda_max) * tolerance.
  auto start = Clock::now();
  SpectrumExtremes x;
  auto threshold = [&](double lambda_max) {
    double sigma = std::sqrt(lambda_max) * tolerance;
    return sigma * sigma;
  };
  if (o.eigenvalues != nullptr || !spectrum_extremes(g, batch, max_abs, threshold, &x)) {
    auto eig = torch::linalg_eigvalsh(gram).clamp_min(0.0).contiguous();  // ascending
    const double* ev = eig.data_ptr<double>();
    if (o.eigenvalues) std::copy(ev, ev + batch, o.eigenvalues);
    x.lambda_max = ev[batch - 1];
    double sigma_threshold = std::sqrt(x.lambda_max) * tolerance;
    x.rank = 0;
    for (int64_t i = 0; i < batch; ++i)
      if (std::sqrt(ev[i]) > sigma_threshold) ++x.rank;
    if (x.rank > 0) x.lambda_min_positive = ev[batch - x.rank];
  }
  if (o.reference_rule) reference_spectrum(gram, r);
  r->eigen_seconds = seconds_since(start);
  double lambda_max = x.lambda_max;
  r->rank = x.rank;
  r->lambda_max = lambda_max;
  if (x.rank == 0) {
    r->status = AB_PROBE_ZERO;
    return;
  }
  r->lambda_min_positive = x.lambda_min_positive;
  // Paper Eq. (7): c_k = sigma_max / sigma_min over the numerically non-zero singular values of J.
  r->condition = std::sqrt(lambda_max / r->lambda_min_positive);
  r->mean_gradient_sq_norm = total / double(batch * batch);
  if (batch > 1) r->variance_trace = (r->trace - double(batch) * r->mean_gradient_sq_norm) / double(batch - 1);
  // McCandlish et al. (2018): B_simple = tr(Sigma) / |G|^2.
  if (r->mean_gradient_sq_norm > 0) r->noise_scale = r->variance_trace / r->mean_gradient_sq_norm;
  r->status = AB_PROBE_OK;
}

void freeze_sites(std::vector<ProbeSite>& sites, const torch::Tensor& step_input) {
  for (auto& s : sites) {
    if (s.kind == SiteKind::BatchNorm) {
      auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(s.module);
      s.training = bn->is_training();
      if (bn->running_mean.defined()) s.running_mean = bn->running_mean.detach().clone();
      if (bn->running_var.defined()) s.running_var = bn->running_var.detach().clone();
    }
    // The step's input wraps the caller's buffer, which the caller refills for the next step.
    if (s.input.defined() && step_input.defined() && s.input.is_alias_of(step_input)) s.input = s.input.clone();
    s.frozen = true;
  }
}

void run_probe(std::vector<ProbeSite>& sites, int64_t batch, const AbProbeOptions& options, AbProbeResult* result,
               int gram_threads) {
  torch::NoGradGuard no_grad;
  GramConfig config = gram_config(options);
  config.threads = gram_threads;
  config.lower_only = true;
  auto start = Clock::now();
  auto gram = torch::zeros({batch, batch}, torch::kDouble);
  double* acc = gram.data_ptr<double>();
  std::vector<double> traces, sums;
  traces.reserve(sites.size());
  sums.reserve(sites.size());
  double rows_seconds = 0;
  std::vector<int32_t> paths;
  paths.reserve(sites.size());
  for (auto& site : sites) {
    paths.push_back(layer_path(site, batch, config.mode));
    if (paths.back() == AB_LAYER_FUSED) rows_seconds += site.rows_seconds;
    site.rows_seconds = 0;
    auto g = layer_gram(site, batch, config).contiguous();
    site.rows = torch::Tensor();  // consumed: free the layer's B x p rows now rather than after the whole probe
    const double* v = g.data_ptr<double>();
    // F~ += the layer's Gram, lower triangle only (row i: entries 0..i, all the layer Grams hold; F~ is mirrored once
    // at the end). Rows go to the team; each entry is added on its own, so the result does not depend on the team.
    parallel_ranges(batch, config.threads, kMinParallelEntries / std::max<int64_t>(batch, 1) + 1,
                    [&](int64_t i0, int64_t i1) {
                      for (int64_t i = i0; i < i1; ++i) {
                        double* a = acc + i * batch;
                        const double* b = v + i * batch;
#pragma omp simd
                        for (int64_t j = 0; j <= i; ++j) a[j] += b[j];
                      }
                    });
    double trace = 0;
    for (int64_t i = 0; i < batch; ++i) trace += v[i * batch + i];
    traces.push_back(trace);
    if (options.layer_sums) {
      // 1'G1 = 2 (sum below the diagonal) + trace, the strict lower triangle in lanes, in a fixed order.
      double partial[kLanes] = {};
      for (int64_t i = 1; i < batch; ++i) {
        const double* b = v + i * batch;
        int64_t j = 0;
        for (; j + kLanes <= i; j += kLanes)
          for (int l = 0; l < kLanes; ++l) partial[l] += b[j + l];
        for (int l = 0; j < i; ++j, ++l) partial[l] += b[j];
      }
      sums.push_back(2.0 * lane_total(partial) + trace);
    }
  }
  mirror_lower_triangle(acc, batch);
  if (options.layer_paths) std::copy(paths.begin(), paths.end(), options.layer_paths);
  double gram_seconds = seconds_since(start);
  analyse_gram(gram, traces, sums, options, result, config.threads, /*symmetric=*/true);
  result->gram_seconds = gram_seconds;
  result->fused_layers = int32_t(std::count(paths.begin(), paths.end(), int32_t(AB_LAYER_FUSED)));
  result->rows_seconds = rows_seconds;
}

}  // namespace ab
