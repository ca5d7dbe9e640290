#include "Probe.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cmath>
#include <functional>
#include <limits>

#include "Errors.h"

namespace ab {

namespace F = torch::nn::functional;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kFloat32Epsilon = 1.1920928955078125e-07;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct LayerShape {
  int64_t d_in;   // input features per position (C_in * k * k for a conv)
  int64_t d_out;  // output features per position
  int64_t positions;  // T: 1 for Linear, H_out * W_out for Conv2d
};

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

// Gram of per-sample rows produced chunk by chunk: rows(start, count) -> (count x p) float64.
// When all rows fit under the cap they are built once; otherwise block pairs are recomputed.
torch::Tensor gram_from_rows(const std::function<torch::Tensor(int64_t, int64_t)>& rows, int64_t batch,
                             int64_t bytes_per_row, int64_t cap) {
  int64_t chunk = std::max<int64_t>(1, cap / std::max<int64_t>(1, 2 * bytes_per_row));
  if (chunk >= batch) {
    auto p = rows(0, batch);
    return p.mm(p.t());
  }
  auto gram = torch::zeros({batch, batch}, torch::kDouble);
  for (int64_t i0 = 0; i0 < batch; i0 += chunk) {
    int64_t ni = std::min(chunk, batch - i0);
    auto pi = rows(i0, ni);
    gram.slice(0, i0, i0 + ni).slice(1, i0, i0 + ni).copy_(pi.mm(pi.t()));
    for (int64_t j0 = i0 + ni; j0 < batch; j0 += chunk) {
      int64_t nj = std::min(chunk, batch - j0);
      auto block = pi.mm(rows(j0, nj).t());
      gram.slice(0, i0, i0 + ni).slice(1, j0, j0 + nj).copy_(block);
      gram.slice(0, j0, j0 + nj).slice(1, i0, i0 + ni).copy_(block.t());
    }
  }
  return gram;
}

// delta_{i,t} = B dL/d(output)_{i,t}: the gradient of sample i's own loss term (SPEC §1).
torch::Tensor scaled_delta(const ProbeSite& s, int64_t batch) { return s.grad_output * double(batch); }

torch::Tensor linear_gram(const ProbeSite& s, int64_t batch, GramPath path, int64_t cap) {
  auto* l = dynamic_cast<torch::nn::LinearImpl*>(s.module);
  bool has_bias = l->bias.defined();
  auto a = s.input.reshape({batch, -1});
  auto d = scaled_delta(s, batch).reshape({batch, -1});
  if (path == GramPath::Ghost) {
    // T = 1: g_i = delta_i a_i', so <g_i, g_j> = (delta_i . delta_j)(a_i . a_j).
    auto a64 = a.to(torch::kDouble);
    auto d64 = d.to(torch::kDouble);
    auto dd = d64.mm(d64.t());
    auto gram = dd * a64.mm(a64.t());
    if (has_bias) gram += dd;
    return gram;
  }
  int64_t p = a.size(1) * d.size(1) + (has_bias ? d.size(1) : 0);
  auto rows = [&](int64_t start, int64_t count) {
    auto ai = a.narrow(0, start, count);
    auto di = d.narrow(0, start, count);
    auto w = (di.unsqueeze(2) * ai.unsqueeze(1)).reshape({count, -1});
    if (has_bias) w = torch::cat({w, di}, 1);
    return w.to(torch::kDouble);
  };
  return gram_from_rows(rows, batch, p * 12, cap);
}

torch::Tensor conv_gram(const ProbeSite& s, int64_t batch, GramPath path, int64_t cap) {
  auto* c = dynamic_cast<torch::nn::Conv2dImpl*>(s.module);
  bool has_bias = c->bias.defined();
  auto unfold_options = F::UnfoldFuncOptions(c->options.kernel_size())
                            .dilation(c->options.dilation())
                            .stride(c->options.stride());
  const auto& pad = c10::get<torch::ExpandingArray<2>>(c->options.padding());
  unfold_options.padding(pad);
  auto d = scaled_delta(s, batch);
  int64_t c_out = d.size(1);
  int64_t positions = d.size(2) * d.size(3);
  d = d.reshape({batch, c_out, positions});
  LayerShape shape = shape_of(s);

  if (path == GramPath::Materialise) {
    // g_i = sum_t delta_{i,t} a_{i,t}' as one batched GEMM over the chunk, im2col done per chunk.
    int64_t p = c_out * shape.d_in + (has_bias ? c_out : 0);
    auto rows = [&](int64_t start, int64_t count) {
      auto a = F::unfold(s.input.narrow(0, start, count), unfold_options);  // count x d_in x T
      auto di = d.narrow(0, start, count);
      auto w = torch::bmm(di, a.transpose(1, 2)).reshape({count, -1});
      if (has_bias) w = torch::cat({w, di.sum({2})}, 1);
      return w.to(torch::kDouble);
    };
    int64_t bytes_per_row = p * 12 + shape.d_in * positions * 4;
    return gram_from_rows(rows, batch, bytes_per_row, cap);
  }

  // Ghost: <g_i, g_j> = sum_{t,s} (delta_{i,t} . delta_{j,s}) (a_{i,t} . a_{j,s}), over sample blocks that keep
  // two (n T x n T) float64 matrices under the cap.
  auto a_all = F::unfold(s.input, unfold_options).to(torch::kDouble);  // B x d_in x T
  auto d64 = d.to(torch::kDouble);
  int64_t per_pair = 2 * positions * positions * 8;
  int64_t block = std::max<int64_t>(1, int64_t(std::sqrt(double(cap) / double(per_pair))));
  block = std::min(block, batch);
  auto gram = torch::zeros({batch, batch}, torch::kDouble);
  auto flat = [&](const torch::Tensor& t, int64_t start, int64_t count) {
    // (count x f x T) -> (count*T x f)
    return t.narrow(0, start, count).permute({0, 2, 1}).reshape({count * positions, -1});
  };
  for (int64_t i0 = 0; i0 < batch; i0 += block) {
    int64_t ni = std::min(block, batch - i0);
    auto ai = flat(a_all, i0, ni);
    auto di = flat(d64, i0, ni);
    for (int64_t j0 = i0; j0 < batch; j0 += block) {
      int64_t nj = std::min(block, batch - j0);
      auto aa = ai.mm(flat(a_all, j0, nj).t());
      auto dd = di.mm(flat(d64, j0, nj).t());
      auto g = (aa * dd).reshape({ni, positions, nj, positions}).sum({1, 3});
      gram.slice(0, i0, i0 + ni).slice(1, j0, j0 + nj).copy_(g);
      if (j0 != i0) gram.slice(0, j0, j0 + nj).slice(1, i0, i0 + ni).copy_(g.t());
    }
  }
  if (has_bias) {
    auto b = d64.sum({2});
    gram += b.mm(b.t());
  }
  return gram;
}

torch::Tensor batch_norm_gram(const ProbeSite& s, int64_t batch) {
  // Path-wise per-sample gradients (SPEC §1): gamma_i = sum_t delta_{i,t} * xhat_{i,t}, beta_i = sum_t delta_{i,t},
  // with xhat normalised by the statistics the forward used (batch statistics in training mode).
  auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(s.module);
  auto x = s.input.to(torch::kDouble);
  torch::Tensor mean, var;
  if (bn->is_training()) {
    mean = x.mean({0, 2, 3});
    var = x.var({0, 2, 3}, /*unbiased=*/false);
  } else {
    mean = bn->running_mean.to(torch::kDouble);
    var = bn->running_var.to(torch::kDouble);
  }
  auto xhat = (x - mean.view({1, -1, 1, 1})) / torch::sqrt(var.view({1, -1, 1, 1}) + bn->options.eps());
  auto d = scaled_delta(s, batch).to(torch::kDouble);
  auto gamma = (d * xhat).sum({2, 3});
  auto beta = d.sum({2, 3});
  return gamma.mm(gamma.t()) + beta.mm(beta.t());
}

}  // namespace

GramPath choose_path(const ProbeSite& site, int64_t batch, AbGramMode mode) {
  if (site.kind == SiteKind::BatchNorm) return GramPath::Materialise;
  if (mode == AB_GRAM_GHOST) return GramPath::Ghost;
  if (mode == AB_GRAM_MATERIALISE) return GramPath::Materialise;
  // Cost model of SPEC §1 (multiply-adds): ghost ~ B^2 T^2 (d_in + d_out);
  // materialise ~ B T d_in d_out (per-sample gradients) + B^2 d_in d_out (their Gram).
  LayerShape s = shape_of(site);
  double b = double(batch), t = double(s.positions);
  double ghost = b * b * t * t * double(s.d_in + s.d_out);
  double materialise = b * t * double(s.d_in) * double(s.d_out) + b * b * double(s.d_in) * double(s.d_out);
  return ghost <= materialise ? GramPath::Ghost : GramPath::Materialise;
}

torch::Tensor layer_gram(const ProbeSite& site, int64_t batch, const GramConfig& config) {
  if (!site.input.defined() || !site.grad_output.defined()) {
    throw std::runtime_error("probe: layer " + site.name + " captured no input or gradient");
  }
  torch::NoGradGuard no_grad;
  GramPath path = choose_path(site, batch, config.mode);
  switch (site.kind) {
    case SiteKind::Linear:
      return linear_gram(site, batch, path, config.memory_cap_bytes);
    case SiteKind::Conv:
      return conv_gram(site, batch, path, config.memory_cap_bytes);
    default:
      return batch_norm_gram(site, batch);
  }
}

void validate_probe_options(const AbProbeOptions& o, int64_t layer_count) {
  require(o.gram_mode >= AB_GRAM_AUTO && o.gram_mode <= AB_GRAM_MATERIALISE,
          "probe: gram mode must be 0 (auto), 1 (ghost) or 2 (materialise), got " + std::to_string(o.gram_mode));
  require(o.memory_cap_bytes >= (int64_t(1) << 10),
          "probe: memory cap must be at least 1 KiB, got " + std::to_string(o.memory_cap_bytes) + " bytes");
  require(std::isfinite(o.rank_tolerance) && o.rank_tolerance < 1.0,
          "probe: rank tolerance must be finite and < 1 (<= 0 selects B * eps_float32)");
  require((o.layer_traces == nullptr && o.layer_sums == nullptr) || o.layer_trace_capacity >= layer_count,
          "probe: layer trace buffer holds " + std::to_string(o.layer_trace_capacity) + " values, the model has " +
              std::to_string(layer_count) + " probed layers");
}

void analyse_gram(const torch::Tensor& gram_in, const std::vector<double>& layer_traces,
                  const std::vector<double>& layer_sums, const AbProbeOptions& o, AbProbeResult* r) {
  int64_t batch = gram_in.size(0);
  *r = AbProbeResult{};
  auto gram = (gram_in + gram_in.t()) * 0.5;
  if (o.gram) std::memcpy(o.gram, gram.contiguous().data_ptr<double>(), sizeof(double) * batch * batch);
  if (o.layer_traces) std::copy(layer_traces.begin(), layer_traces.end(), o.layer_traces);
  if (o.layer_sums) std::copy(layer_sums.begin(), layer_sums.end(), o.layer_sums);
  if (o.eigenvalues) std::fill(o.eigenvalues, o.eigenvalues + batch, 0.0);
  r->trace = gram.diagonal().sum().item<double>();
  if (!torch::isfinite(gram).all().item<bool>()) {
    r->status = AB_PROBE_NONFINITE;
    r->trace = 0;
    return;
  }
  if (gram.abs().max().item<double>() == 0.0) {
    r->status = AB_PROBE_ZERO;
    return;
  }
  auto start = Clock::now();
  auto eig = torch::linalg_eigvalsh(gram).clamp_min(0.0).contiguous();  // ascending
  r->eigen_seconds = seconds_since(start);
  const double* ev = eig.data_ptr<double>();
  if (o.eigenvalues) std::copy(ev, ev + batch, o.eigenvalues);
  double lambda_max = ev[batch - 1];
  double tolerance = o.rank_tolerance > 0 ? o.rank_tolerance : double(batch) * kFloat32Epsilon;
  double sigma_threshold = std::sqrt(lambda_max) * tolerance;
  int32_t rank = 0;
  for (int64_t i = 0; i < batch; ++i)
    if (std::sqrt(ev[i]) > sigma_threshold) ++rank;
  r->rank = rank;
  r->lambda_max = lambda_max;
  if (rank == 0) {
    r->status = AB_PROBE_ZERO;
    return;
  }
  r->lambda_min_positive = ev[batch - rank];
  // Paper Eq. (7): c_k = sigma_max / sigma_min over the numerically non-zero singular values of J.
  r->condition = std::sqrt(lambda_max / r->lambda_min_positive);
  double total = gram.sum().item<double>();
  r->mean_gradient_sq_norm = total / double(batch * batch);
  if (batch > 1) r->variance_trace = (r->trace - double(batch) * r->mean_gradient_sq_norm) / double(batch - 1);
  // McCandlish et al. (2018): B_simple = tr(Sigma) / |G|^2.
  if (r->mean_gradient_sq_norm > 0) r->noise_scale = r->variance_trace / r->mean_gradient_sq_norm;
  r->status = AB_PROBE_OK;
}

void run_probe(std::vector<ProbeSite>& sites, int64_t batch, const AbProbeOptions& options, AbProbeResult* result) {
  torch::NoGradGuard no_grad;
  GramConfig config{AbGramMode(options.gram_mode), options.memory_cap_bytes};
  auto start = Clock::now();
  auto gram = torch::zeros({batch, batch}, torch::kDouble);
  std::vector<double> traces, sums;
  traces.reserve(sites.size());
  sums.reserve(sites.size());
  for (auto& site : sites) {
    auto g = layer_gram(site, batch, config);
    traces.push_back(g.diagonal().sum().item<double>());
    if (options.layer_sums) sums.push_back(g.sum().item<double>());
    gram += g;
  }
  double gram_seconds = seconds_since(start);
  analyse_gram(gram, traces, sums, options, result);
  result->gram_seconds = gram_seconds;
}

}  // namespace ab
