#include "Models.h"

#include <chrono>

#include "Errors.h"
#include "Probe.h"

namespace ab {

namespace F = torch::nn::functional;

void ProbedNetImpl::clear_captures() {
  for (auto& s : sites_) {
    s.input = torch::Tensor();
    s.grad_output = torch::Tensor();
    s.rows = torch::Tensor();
    s.frozen = false;
    s.running_mean = torch::Tensor();
    s.running_var = torch::Tensor();
  }
}

size_t ProbedNetImpl::add_site(SiteKind kind, const std::string& name, torch::nn::Module* module) {
  ProbeSite site;
  site.kind = kind;
  site.name = name;
  site.module = module;
  sites_.push_back(std::move(site));
  return sites_.size() - 1;
}

torch::Tensor ProbedNetImpl::capture(size_t site, const torch::Tensor& input, torch::Tensor output) {
  if (capture_ && output.requires_grad()) {
    ProbeSite* s = &sites_[site];
    s->input = input.detach();
    output.register_hook([s](torch::Tensor grad) { s->grad_output = grad; });
  }
  return output;
}

torch::Tensor ProbedNetImpl::linear(size_t site, torch::nn::Linear& layer, const torch::Tensor& x) {
  return capture(site, x, layer->forward(x));
}

namespace {

// The fused conv path. On a probed step the probe needs each sample's weight gradient, and the backward needs their
// sum; inside the step the direct kernel (ConvRows.h) computes the per-sample gradients in little more than the time of
// the batch weight gradient (bench/results/HISTORY.md), so computing them once here and returning their sum saves the
// batch weight gradient.
// Forward: the ordinary convolution. Backward: grad_input as autograd would compute it, the per-sample rows of the
// unscaled grad_output stored in the site for layer_gram, and their column sum as the weight (and bias) gradient.
// The sum is the same gradient as the batch kernel's up to float32 rounding (different summation order).
struct FusedConv : torch::autograd::Function<FusedConv> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const c10::optional<torch::Tensor>& bias, ProbeSite* site,
                               int64_t memory_cap_bytes, int64_t conv_kernel) {
    ConvGeometry g = geometry_of(*site);
    ctx->save_for_backward({x, weight});
    // AutogradContext keeps IValues only: the site (owned by the model, which outlives the graph) goes as an integer.
    ctx->saved_data["site"] = int64_t(reinterpret_cast<intptr_t>(site));
    ctx->saved_data["cap"] = memory_cap_bytes;
    ctx->saved_data["kernel"] = int64_t(row_kernel(g, AbConvKernel(conv_kernel)));
    return torch::conv2d(x, weight, bias, g.stride, g.padding, g.dilation);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& weight = saved[1];
    auto* site = reinterpret_cast<ProbeSite*>(intptr_t(ctx->saved_data["site"].toInt()));
    ConvGeometry g = geometry_of(*site);
    auto d = grads[0].contiguous();
    torch::Tensor grad_input;
    if (ctx->needs_input_grad(0)) {
      grad_input = std::get<0>(at::convolution_backward(d, x, weight, c10::nullopt, g.stride, g.padding, g.dilation,
                                                        /*transposed=*/false, {0, 0}, /*groups=*/1,
                                                        {true, false, false}));
    }
    auto kernel = RowKernel(ctx->saved_data["kernel"].toInt());
    auto start = std::chrono::steady_clock::now();
    site->rows = conv_sample_rows(g, x, d, kernel, ctx->saved_data["cap"].toInt(), at::get_num_threads());
    auto sum = site->rows.sum(0);
    torch::Tensor grad_bias;
    if (g.has_bias) grad_bias = sum.narrow(0, weight.numel(), g.out_channels);
    auto grad_weight = conv_weight_gradient(g, sum, kernel);
    // The probe's share of this backward, reported with its Gram and eigen time. It includes the weight gradient the
    // rows stand in for, so it is an upper bound on what the probe added to the step.
    site->rows_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // One gradient per forward argument; the site, the cap and the kernel get none.
    return {grad_input, grad_weight, grad_bias, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor ProbedNetImpl::conv(size_t site, torch::nn::Conv2d& layer, const torch::Tensor& x) {
  if (capture_ && torch::GradMode::is_enabled()) {
    // The fused layers' rows all live from their backward until the probe consumes them, so they share the cap
    // (post-hoc, one layer's rows exist at a time). Greedy in forward order: the early layers, with the larger
    // feature maps, save the most batch weight-gradient work per byte of rows.
    GramConfig config = gram_config(probe_);
    config.memory_cap_bytes -= fused_bytes_;
    if (fuses_conv(sites_[site], x, config)) {
      c10::optional<torch::Tensor> bias;
      if (layer->bias.defined()) bias = layer->bias;
      fused_bytes_ += 4 * x.size(0) * (layer->weight.numel() + (bias ? bias->numel() : 0));
      return FusedConv::apply(x, layer->weight, bias, &sites_[site], probe_.memory_cap_bytes,
                              int64_t(config.conv_kernel));
    }
  }
  return capture(site, x, layer->forward(x));
}

torch::Tensor ProbedNetImpl::batch_norm(size_t site, torch::nn::BatchNorm2d& layer, const torch::Tensor& x) {
  return capture(site, x, layer->forward(x));
}

namespace {

torch::nn::Conv2d make_conv(int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  auto conv = torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false));
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
  return conv;
}

torch::nn::BatchNorm2d make_bn(int64_t channels) {
  // PyTorch defaults (eps 1e-5, momentum 0.1); gamma = 1, beta = 0.
  return torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels));
}

// ---------------------------------------------------------------------------------------------------------------
class MlpImpl : public ProbedNetImpl {
 public:
  explicit MlpImpl(const AbModelSpec& spec) {
    int64_t width = int64_t(spec.in_channels) * spec.in_height * spec.in_width;
    std::vector<int64_t> widths;
    for (int i = 0; i < spec.hidden_count; ++i) widths.push_back(spec.hidden[i]);
    widths.push_back(spec.classes);
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string name = "fc" + std::to_string(i + 1);
      layers_.push_back(register_module(name, torch::nn::Linear(width, widths[i])));
      site_ids_.push_back(add_site(SiteKind::Linear, name, layers_.back().get()));
      width = widths[i];
    }
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = x.flatten(1);
    for (size_t i = 0; i < layers_.size(); ++i) {
      x = linear(site_ids_[i], layers_[i], x);
      if (i + 1 < layers_.size()) x = torch::relu(x);
    }
    return x;
  }

 private:
  std::vector<torch::nn::Linear> layers_;
  std::vector<size_t> site_ids_;
};

// ---------------------------------------------------------------------------------------------------------------
// Residual unit of the paper (Sec. 4): conv3x3-BN-ReLU-conv3x3-BN added to a parameter-free shortcut.
struct ResidualUnit {
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  size_t s_conv1, s_bn1, s_conv2, s_bn2;
  int64_t in_channels, out_channels, stride;
};

class ResNetImpl : public ProbedNetImpl {
 public:
  explicit ResNetImpl(const AbModelSpec& spec) : relu_after_add_(spec.resnet_relu_after_add != 0) {
    int64_t base = spec.resnet_base_width;
    stem_conv_ = register_module("conv1", make_conv(spec.in_channels, base, 3, 1));
    stem_bn_ = register_module("bn1", make_bn(base));
    s_stem_conv_ = add_site(SiteKind::Conv, "conv1", stem_conv_.get());
    s_stem_bn_ = add_site(SiteKind::BatchNorm, "bn1", stem_bn_.get());
    int64_t channels = base;
    for (int stage = 0; stage < 3; ++stage) {
      int64_t width = base << stage;
      auto list = register_module("layer" + std::to_string(stage + 1), torch::nn::ModuleList());
      for (int u = 0; u < spec.resnet_units; ++u) {
        auto holder = std::make_shared<torch::nn::Module>();
        ResidualUnit unit;
        unit.in_channels = channels;
        unit.out_channels = width;
        unit.stride = (stage > 0 && u == 0) ? 2 : 1;
        unit.conv1 = holder->register_module("conv1", make_conv(channels, width, 3, unit.stride));
        unit.bn1 = holder->register_module("bn1", make_bn(width));
        unit.conv2 = holder->register_module("conv2", make_conv(width, width, 3, 1));
        unit.bn2 = holder->register_module("bn2", make_bn(width));
        std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(u) + ".";
        unit.s_conv1 = add_site(SiteKind::Conv, prefix + "conv1", unit.conv1.get());
        unit.s_bn1 = add_site(SiteKind::BatchNorm, prefix + "bn1", unit.bn1.get());
        unit.s_conv2 = add_site(SiteKind::Conv, prefix + "conv2", unit.conv2.get());
        unit.s_bn2 = add_site(SiteKind::BatchNorm, prefix + "bn2", unit.bn2.get());
        list->push_back(holder);
        units_.push_back(unit);
        channels = width;
      }
    }
    fc_ = register_module("fc", torch::nn::Linear(channels, spec.classes));
    s_fc_ = add_site(SiteKind::Linear, "fc", fc_.get());
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = torch::relu(batch_norm(s_stem_bn_, stem_bn_, conv(s_stem_conv_, stem_conv_, x)));
    for (auto& u : units_) {
      auto y = torch::relu(batch_norm(u.s_bn1, u.bn1, conv(u.s_conv1, u.conv1, x)));
      y = batch_norm(u.s_bn2, u.bn2, conv(u.s_conv2, u.conv2, y));
      auto shortcut = x;
      if (u.stride > 1) {
        // 2x2 average pool; ceil mode keeps the shape equal to the strided conv's for odd sizes.
        shortcut = F::avg_pool2d(shortcut, F::AvgPool2dFuncOptions(2).stride(2).ceil_mode(true));
      }
      if (u.out_channels > u.in_channels) {
        // Zero-padded channels: the shortcut has no parameters (paper Sec. 4, "option A").
        shortcut = F::pad(shortcut, F::PadFuncOptions({0, 0, 0, 0, 0, u.out_channels - u.in_channels}));
      }
      x = y + shortcut;
      if (relu_after_add_) x = torch::relu(x);
    }
    x = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return linear(s_fc_, fc_, x);
  }

 private:
  bool relu_after_add_;
  torch::nn::Conv2d stem_conv_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};
  size_t s_stem_conv_, s_stem_bn_, s_fc_;
  std::vector<ResidualUnit> units_;
  torch::nn::Linear fc_{nullptr};
};

// ---------------------------------------------------------------------------------------------------------------
// DenseNet (Huang et al.): dense layers BN-ReLU-conv3x3 (optionally with a BN-ReLU-conv1x1 bottleneck of 4k
// channels first), each concatenated to its input; transitions BN-ReLU-conv1x1 (compression) + 2x2 average pool.
struct DenseLayer {
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  size_t s_bn1, s_conv1, s_bn2 = 0, s_conv2 = 0;
  bool bottleneck;
};

struct Transition {
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Conv2d conv{nullptr};
  size_t s_bn, s_conv;
};

class DenseNetImpl : public ProbedNetImpl {
 public:
  explicit DenseNetImpl(const AbModelSpec& spec) {
    int64_t channels = spec.dense_init_channels;
    conv0_ = register_module("conv0", make_conv(spec.in_channels, channels, 3, 1));
    s_conv0_ = add_site(SiteKind::Conv, "conv0", conv0_.get());
    for (int b = 0; b < spec.dense_blocks; ++b) {
      std::string block_name = "block" + std::to_string(b + 1);
      auto block = register_module(block_name, torch::nn::ModuleList());
      std::vector<DenseLayer> layers;
      int64_t growth = spec.dense_growth[b];
      for (int l = 0; l < spec.dense_layers[b]; ++l) {
        auto holder = std::make_shared<torch::nn::Module>();
        std::string prefix = block_name + "." + std::to_string(l) + ".";
        DenseLayer layer;
        layer.bottleneck = spec.dense_bottleneck != 0;
        layer.bn1 = holder->register_module("bn1", make_bn(channels));
        layer.s_bn1 = add_site(SiteKind::BatchNorm, prefix + "bn1", layer.bn1.get());
        if (layer.bottleneck) {
          layer.conv1 = holder->register_module("conv1", make_conv(channels, 4 * growth, 1, 1));
          layer.s_conv1 = add_site(SiteKind::Conv, prefix + "conv1", layer.conv1.get());
          layer.bn2 = holder->register_module("bn2", make_bn(4 * growth));
          layer.s_bn2 = add_site(SiteKind::BatchNorm, prefix + "bn2", layer.bn2.get());
          layer.conv2 = holder->register_module("conv2", make_conv(4 * growth, growth, 3, 1));
          layer.s_conv2 = add_site(SiteKind::Conv, prefix + "conv2", layer.conv2.get());
        } else {
          layer.conv1 = holder->register_module("conv1", make_conv(channels, growth, 3, 1));
          layer.s_conv1 = add_site(SiteKind::Conv, prefix + "conv1", layer.conv1.get());
        }
        block->push_back(holder);
        layers.push_back(layer);
        channels += growth;
      }
      blocks_.push_back(layers);
      if (b + 1 < spec.dense_blocks) {
        int64_t out = std::max<int64_t>(1, int64_t(std::floor(channels * spec.dense_compression)));
        std::string name = "trans" + std::to_string(b + 1);
        auto holder = register_module(name, std::make_shared<torch::nn::Module>());
        Transition t;
        t.bn = holder->register_module("bn", make_bn(channels));
        t.conv = holder->register_module("conv", make_conv(channels, out, 1, 1));
        t.s_bn = add_site(SiteKind::BatchNorm, name + ".bn", t.bn.get());
        t.s_conv = add_site(SiteKind::Conv, name + ".conv", t.conv.get());
        transitions_.push_back(t);
        channels = out;
      }
    }
    bn_final_ = register_module("bn_final", make_bn(channels));
    s_bn_final_ = add_site(SiteKind::BatchNorm, "bn_final", bn_final_.get());
    fc_ = register_module("fc", torch::nn::Linear(channels, spec.classes));
    s_fc_ = add_site(SiteKind::Linear, "fc", fc_.get());
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = conv(s_conv0_, conv0_, x);
    for (size_t b = 0; b < blocks_.size(); ++b) {
      for (auto& l : blocks_[b]) {
        auto y = conv(l.s_conv1, l.conv1, torch::relu(batch_norm(l.s_bn1, l.bn1, x)));
        if (l.bottleneck) y = conv(l.s_conv2, l.conv2, torch::relu(batch_norm(l.s_bn2, l.bn2, y)));
        x = torch::cat({x, y}, 1);
      }
      if (b < transitions_.size()) {
        auto& t = transitions_[b];
        x = conv(t.s_conv, t.conv, torch::relu(batch_norm(t.s_bn, t.bn, x)));
        x = F::avg_pool2d(x, F::AvgPool2dFuncOptions(2).stride(2).ceil_mode(true));
      }
    }
    x = torch::relu(batch_norm(s_bn_final_, bn_final_, x));
    x = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
    return linear(s_fc_, fc_, x);
  }

 private:
  torch::nn::Conv2d conv0_{nullptr};
  size_t s_conv0_, s_bn_final_, s_fc_;
  std::vector<std::vector<DenseLayer>> blocks_;
  std::vector<Transition> transitions_;
  torch::nn::BatchNorm2d bn_final_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

void validate(const AbModelSpec& s) {
  require(s.in_channels >= 1 && s.in_height >= 1 && s.in_width >= 1,
          "model: input shape must be positive, got " + std::to_string(s.in_channels) + "x" +
              std::to_string(s.in_height) + "x" + std::to_string(s.in_width));
  require(s.classes >= 2, "model: expected at least 2 classes, got " + std::to_string(s.classes));
  switch (s.kind) {
    case AB_MODEL_MLP:
      require(s.hidden_count >= 0 && (s.hidden_count == 0 || s.hidden != nullptr), "mlp: hidden widths missing");
      for (int i = 0; i < s.hidden_count; ++i)
        require(s.hidden[i] >= 1, "mlp: hidden width " + std::to_string(i) + " must be >= 1");
      break;
    case AB_MODEL_RESNET:
      require(s.resnet_units >= 1, "resnet: units per stage must be >= 1");
      require(s.resnet_base_width >= 1, "resnet: base width must be >= 1");
      break;
    case AB_MODEL_DENSENET:
      require(s.dense_blocks >= 1 && s.dense_layers && s.dense_growth, "densenet: blocks missing");
      for (int b = 0; b < s.dense_blocks; ++b)
        require(s.dense_layers[b] >= 1 && s.dense_growth[b] >= 1,
                "densenet: block " + std::to_string(b + 1) + " needs >= 1 layer and growth >= 1");
      require(s.dense_init_channels >= 1, "densenet: initial channels must be >= 1");
      require(s.dense_compression > 0 && s.dense_compression <= 1, "densenet: compression must be in (0, 1]");
      break;
    default:
      throw ArgumentError("model: unknown kind " + std::to_string(s.kind));
  }
}

}  // namespace

std::shared_ptr<ProbedNetImpl> build_model(const AbModelSpec& spec) {
  validate(spec);
  torch::manual_seed(uint64_t(spec.seed));
  switch (spec.kind) {
    case AB_MODEL_MLP:
      return std::make_shared<MlpImpl>(spec);
    case AB_MODEL_RESNET:
      return std::make_shared<ResNetImpl>(spec);
    default:
      return std::make_shared<DenseNetImpl>(spec);
  }
}

}  // namespace ab
