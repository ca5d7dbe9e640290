#include "Probe.h"

#include "ConvRows.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>

#include "BatchNormSums.h"
#include "BlasGram.h"
#include "Errors.h"
#include "GramKernel.h"
#include "GramSummary.h"
#include "Parallel.h"
#include "Spectrum.h"

namespace ab {

namespace F = torch::nn::functional;
using Clock = std::chrono::steady_clock;

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
// Elementwise passes of a synchronous probe go to the intra-op threads in ranges of at least this many entries
// (a 2^15-entry float64 pass takes ~10-20 us, about what handing it to a team costs): at B = 512, not at 128.
constexpr int64_t kMinParallelEntries = int64_t(1) << 15;

double lane_total(const double (&lanes)[kLanes]) { return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]); }

// ---------------------------------------------------------------------------------------------------------------
// Symmetric float64 products X X'. ATen's mm computes both triangles; BLAS dsyrk computes one, in half the time and
// with the same per-entry arithmetic (a float64 dot product). libtorch calls BLAS through the Fortran interface of
// libblas.so.3, so dsyrk_ comes from the library it already uses (OpenBLAS here, reference BLAS elsewhere; BlasGram.h).

}  // namespace

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

namespace {

// ---------------------------------------------------------------------------------------------------------------
using RowsFn = std::function<torch::Tensor(int64_t, int64_t)>;

// All B rows (B x p float32, which the caller has checked fit under the cap): rows(start, count) -> count x p float32
// rows, called on chunks that keep a chunk's rows and scratch under the cap. scratch_per_row: bytes the row function
// needs per sample besides its output (im2col buffers, copies).
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

// Gram of per-sample rows (see all_rows). When the B x p rows fit under the cap they are built once and multiplied
// once; only when the rows themselves exceed the cap are they recomputed per block pair.
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

// ---------------------------------------------------------------------------------------------------------------
struct LayerShape {
  int64_t d_in;   // input features per position (C_in * k * k for a conv)
  int64_t d_out;  // output features per position
  int64_t positions;  // T: 1 for Linear, H_out * W_out for Conv2d
};

// Cost model of docs/DESIGN.md, 'The probe' (multiply-adds): ghost ~ B^2 T^2 (d_in + d_out);
// materialise ~ B T d_in d_out (per-sample gradients) + B^2 d_in d_out (their Gram).
GramPath cheaper_path(const LayerShape& s, int64_t batch) {
  double b = double(batch), t = double(s.positions);
  double ghost = b * b * t * t * double(s.d_in + s.d_out);
  double materialise = b * t * double(s.d_in) * double(s.d_out) + b * b * double(s.d_in) * double(s.d_out);
  return ghost <= materialise ? GramPath::Ghost : GramPath::Materialise;
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

F::UnfoldFuncOptions unfold_options(const ConvGeometry& g) {
  return F::UnfoldFuncOptions({g.kernel[0], g.kernel[1]})
      .dilation({g.dilation[0], g.dilation[1]})
      .padding({g.padding[0], g.padding[1]})
      .stride({g.stride[0], g.stride[1]});
}

int64_t weight_count(const ConvGeometry& g) { return g.out_channels * g.in_channels * g.kernel[0] * g.kernel[1]; }

int64_t row_length(const ConvGeometry& g) { return weight_count(g) + (g.has_bias ? g.out_channels : 0); }

// Per-sample weight (and bias) gradients g_i = sum_t delta_{i,t} a_{i,t}' of samples [start, start + count), as a
// count x (C_out C_in k k [+ C_out]) float32 matrix, the weights in PyTorch's (C_out, C_in, kh, kw) order, or in
// (C_out, kh, kw, C_in) order from the direct kernel (see conv_weight_gradient). x and d: contiguous float32.
torch::Tensor conv_rows(const ConvGeometry& g, const torch::Tensor& x, const torch::Tensor& d, int64_t start,
                        int64_t count, RowKernel kernel, int threads) {
  auto xi = x.narrow(0, start, count);
  auto di = d.narrow(0, start, count);
  int64_t h_out = d.size(2), w_out = d.size(3);
  if (kernel == RowKernel::Direct) {
    require(x.scalar_type() == torch::kFloat && d.scalar_type() == torch::kFloat && x.is_contiguous() &&
                d.is_contiguous(),
            "probe: the direct conv kernel takes contiguous float32 inputs and gradients (internal error)");
    auto rows = torch::empty({count, row_length(g)}, torch::kFloat);
    DirectConvShape shape{g.in_channels, x.size(2),   x.size(3),   g.out_channels, h_out,        w_out,
                          g.kernel[0],   g.kernel[1], g.stride[0], g.stride[1],    g.padding[0], g.padding[1]};
    direct_conv_rows(shape, xi.data_ptr<float>(), di.data_ptr<float>(), count, rows.data_ptr<float>(), rows.size(1),
                     threads);
    if (g.has_bias) rows.narrow(1, weight_count(g), g.out_channels).copy_(di.sum({2, 3}));
    return rows;
  }
  torch::Tensor w;
  if (kernel == RowKernel::Grouped) {
    // The samples as the groups of one convolution (input 1 x nC_in x H x W, output 1 x nC_out x H' x W'): its
    // weight gradient, nC_out x C_in x kh x kw, holds the n per-sample weight gradients one after another, computed
    // by the direct convolution kernels without an im2col buffer. The weight's values are not read.
    auto weight = torch::empty({count * g.out_channels, g.in_channels, g.kernel[0], g.kernel[1]}, x.options());
    auto grads = at::convolution_backward(
        di.reshape({1, count * g.out_channels, h_out, w_out}), xi.reshape({1, count * g.in_channels, x.size(2), x.size(3)}),
        weight, c10::nullopt, {g.stride[0], g.stride[1]}, {g.padding[0], g.padding[1]}, {g.dilation[0], g.dilation[1]},
        /*transposed=*/false, {0, 0}, /*groups=*/count, {false, true, false});
    w = std::get<1>(grads).reshape({count, -1});
  } else {
    auto a = F::unfold(xi, unfold_options(g));  // count x d_in x T
    w = torch::bmm(di.reshape({count, g.out_channels, h_out * w_out}), a.transpose(1, 2)).reshape({count, -1});
  }
  if (g.has_bias) w = torch::cat({w, di.sum({2, 3})}, 1);
  return w;
}

// Scratch per sample of the grouped kernel: its weight-shaped tensor and its copies of input and output gradient.
int64_t grouped_scratch(int64_t p, const torch::Tensor& input, const torch::Tensor& grad_output) {
  return 4 * (p + input[0].numel() + grad_output[0].numel());
}

// Ghost: <g_i, g_j> = sum_{t,s} (delta_{i,t} . delta_{j,s}) (a_{i,t} . a_{j,s}), over sample blocks that keep
// two (n T x n T) float64 matrices under the cap.
torch::Tensor conv_ghost_gram(const ConvGeometry& g, const torch::Tensor& x, const torch::Tensor& delta,
                              const GramConfig& config) {
  int64_t cap = config.memory_cap_bytes;
  int64_t batch = x.size(0);
  int64_t positions = delta.size(2) * delta.size(3);
  auto a_all = F::unfold(x, unfold_options(g)).to(torch::kDouble);  // B x d_in x T
  auto d64 = delta.reshape({batch, g.out_channels, positions}).to(torch::kDouble);
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
      auto gij = (aa * dd).reshape({ni, positions, nj, positions}).sum({1, 3});
      gram.slice(0, i0, i0 + ni).slice(1, j0, j0 + nj).copy_(gij);
      if (j0 != i0) gram.slice(0, j0, j0 + nj).slice(1, i0, i0 + ni).copy_(gij.t());
    }
  }
  if (g.has_bias) gram += row_gram(d64.sum({2}), config.gram_kernel, config.threads);
  return gram;
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

ConvGeometry geometry_of(const ProbeSite& s) {
  auto* c = dynamic_cast<torch::nn::Conv2dImpl*>(s.module);
  const auto& o = c->options;
  require(o.groups() == 1, "probe: layer " + s.name + " is a grouped convolution, which the probe does not handle");
  const auto* pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
  require(pad != nullptr, "probe: layer " + s.name + " uses 'same'/'valid' padding, which the probe does not handle");
  auto k = o.kernel_size(), st = o.stride(), di = o.dilation();
  return {o.in_channels(), o.out_channels(), {k->at(0), k->at(1)}, {st->at(0), st->at(1)},
          {(*pad)->at(0), (*pad)->at(1)},    {di->at(0), di->at(1)},  c->bias.defined()};
}

int64_t conv_output_size(const ConvGeometry& g, int axis, int64_t input_size) {
  int64_t extent = input_size + 2 * g.padding[axis] - g.dilation[axis] * (g.kernel[axis] - 1) - 1;
  return extent < 0 ? 0 : extent / g.stride[axis] + 1;
}

bool fuses_conv(const ProbeSite& s, const torch::Tensor& input, const GramConfig& config) {
  if (config.conv_kernel == AB_CONV_UNFOLD || config.mode == AB_GRAM_GHOST) return false;
  auto* c = dynamic_cast<torch::nn::Conv2dImpl*>(s.module);
  const auto& o = c->options;
  // The layers geometry_of accepts, with the zero padding the fused forward (a plain conv2d) computes.
  if (o.groups() != 1 || c10::get_if<torch::ExpandingArray<2>>(&o.padding()) == nullptr ||
      c10::get_if<torch::enumtype::kZeros>(&o.padding_mode()) == nullptr || input.dim() != 4) {
    return false;
  }
  ConvGeometry g = geometry_of(s);
  int64_t batch = input.size(0);
  if (batch * 4 * row_length(g) > config.memory_cap_bytes) return false;
  if (config.mode == AB_GRAM_MATERIALISE) return true;
  int64_t positions = conv_output_size(g, 0, input.size(2)) * conv_output_size(g, 1, input.size(3));
  LayerShape shape{g.in_channels * g.kernel[0] * g.kernel[1], g.out_channels, positions};
  return cheaper_path(shape, batch) == GramPath::Materialise;
}

// The kernel a conv layer's per-sample rows come from. Auto: the direct AVX-512 kernel (ConvRows.h) where it applies
// (AVX-512F, dilation 1), measured 1.2-2.8x faster than the grouped one per ResNet-8 layer at B = 512, 2.0x over all
// (bench/results/HISTORY.md, section 2'''''''); the grouped kernel elsewhere.
RowKernel row_kernel(const ConvGeometry& g, AbConvKernel requested) {
  if (requested == AB_CONV_UNFOLD) return RowKernel::Unfold;
  bool direct = g.dilation[0] == 1 && g.dilation[1] == 1 && gram_kernel_available();
  if (requested == AB_CONV_GROUPED || !direct) return RowKernel::Grouped;
  return RowKernel::Direct;
}

namespace {

// Scratch per sample of a row kernel besides its rows: the direct kernel's is one sample's input per thread, not per
// row (none counted); the grouped kernel's (grouped_scratch); im2col's buffer.
int64_t row_scratch(RowKernel kernel, const ConvGeometry& g, const torch::Tensor& input, const torch::Tensor& delta) {
  switch (kernel) {
    case RowKernel::Direct: return 0;
    case RowKernel::Grouped: return grouped_scratch(row_length(g), input, delta);
    default: return 4 * g.in_channels * g.kernel[0] * g.kernel[1] * delta.size(2) * delta.size(3);
  }
}

}  // namespace

torch::Tensor conv_sample_rows(const ConvGeometry& g, const torch::Tensor& input, const torch::Tensor& grad_output,
                               RowKernel kernel, int64_t cap, int threads) {
  require(kernel != RowKernel::Unfold,
          "probe: the fused conv path takes the grouped or direct kernel (internal error)");
  auto x = input.contiguous();
  auto d = grad_output.contiguous();
  auto rows = [&](int64_t start, int64_t count) { return conv_rows(g, x, d, start, count, kernel, threads); };
  return all_rows(rows, x.size(0), row_length(g), row_scratch(kernel, g, x, d), cap);
}

torch::Tensor conv_weight_gradient(const ConvGeometry& g, const torch::Tensor& column_sums, RowKernel kernel) {
  auto w = column_sums.narrow(0, 0, weight_count(g));
  if (kernel != RowKernel::Direct) return w.view({g.out_channels, g.in_channels, g.kernel[0], g.kernel[1]});
  return w.view({g.out_channels, g.kernel[0], g.kernel[1], g.in_channels}).permute({0, 3, 1, 2}).contiguous();
}

torch::Tensor conv_gram(const ConvGeometry& g, const torch::Tensor& input, const torch::Tensor& delta,
                        const GramConfig& config) {
  int64_t batch = input.size(0);
  int64_t positions = delta.size(2) * delta.size(3);
  int64_t d_in = g.in_channels * g.kernel[0] * g.kernel[1];
  GramPath path;
  if (config.mode == AB_GRAM_GHOST) {
    path = GramPath::Ghost;
  } else if (config.mode == AB_GRAM_MATERIALISE) {
    path = GramPath::Materialise;
  } else {
    path = cheaper_path({d_in, g.out_channels, positions}, batch);
  }
  if (path == GramPath::Ghost) return conv_ghost_gram(g, input, delta, config);

  RowKernel kernel = row_kernel(g, config.conv_kernel);
  auto x = input.contiguous();
  auto d = delta.contiguous();
  auto rows = [&](int64_t start, int64_t count) { return conv_rows(g, x, d, start, count, kernel, config.threads); };
  int64_t p = row_length(g);
  int64_t scratch = row_scratch(kernel, g, x, d);
  return gram_from_rows(rows, batch, p, scratch, config);
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
