// The probe's conv layers: their geometry, per-sample gradient rows (by im2col, the grouped convolution or the
// direct kernel of ConvRows.h), the fused path's support, and a layer's Gram by either path (conv_gram).
#include "Probe.h"

#include "ConvRows.h"

#include <algorithm>
#include <cmath>

#include "Errors.h"
#include "GramKernel.h"
#include "ProbeDetail.h"

namespace ab {

namespace F = torch::nn::functional;
using detail::all_rows;
using detail::cheaper_path;
using detail::gram_from_rows;
using detail::LayerShape;

namespace {

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

}  // namespace

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

}  // namespace ab
