// Network handle: a model, its SGD state and its probe, behind the coarse C ABI (the probe's own entry points and the
// brute-force gradients: AbNetProbe.cpp).
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "AbApi.h"
#include "AbNetDetail.h"
#include "Errors.h"
#include "Models.h"
#include "Probe.h"
#include "ProbeWorker.h"

namespace ab {

using detail::as_net;
using detail::input_tensor;
using detail::label_tensor;
using detail::Net;
using detail::parameter_count;
using detail::StateEntry;

namespace {

using Clock = std::chrono::steady_clock;

void validate_optimiser(const AbOptimiserSpec& o) {
  require(std::isfinite(o.momentum) && o.momentum >= 0 && o.momentum < 1,
          "optimiser: momentum must be in [0, 1), got " + std::to_string(o.momentum));
  require(std::isfinite(o.weight_decay) && o.weight_decay >= 0,
          "optimiser: weight decay must be >= 0, got " + std::to_string(o.weight_decay));
  require(!o.nesterov || o.momentum > 0, "optimiser: Nesterov momentum needs momentum > 0");
}

void collect_state(Net& net) {
  for (const auto& item : net.model->named_modules("", /*include_self=*/true)) {
    std::string prefix = item.key().empty() ? "" : item.key() + ".";
    for (const auto& p : item.value()->named_parameters(/*recurse=*/false)) {
      net.state.push_back({prefix + p.key(), p.value()});
      net.parameters.push_back({prefix + p.key(), p.value()});
      net.momentum.push_back({prefix + p.key() + ".momentum_buffer", torch::zeros_like(p.value())});
    }
    for (const auto& b : item.value()->named_buffers(/*recurse=*/false)) {
      net.state.push_back({prefix + b.key(), b.value()});
    }
  }
}

bool gradients_finite(const Net& net) {
  // One fused reduction: a NaN or infinity anywhere makes the sum of sums non-finite.
  std::vector<torch::Tensor> sums;
  for (const auto& p : net.parameters)
    if (p.tensor.grad().defined()) sums.push_back(p.tensor.grad().sum());
  return sums.empty() || std::isfinite(torch::stack(sums).sum().item<double>());
}

void sgd_update(Net& net, double lr) {
  // SGD with (Nesterov) momentum and L2 weight decay, as torch.optim.SGD with dampening 0. The momentum buffer
  // starts at zero, which equals PyTorch's "buffer = first gradient" initialisation.
  torch::NoGradGuard no_grad;
  const auto& o = net.optimiser;
  for (size_t i = 0; i < net.parameters.size(); ++i) {
    auto& p = net.parameters[i].tensor;
    auto g = p.grad();
    if (!g.defined()) continue;
    if (o.weight_decay != 0) g.add_(p, o.weight_decay);
    if (o.momentum != 0) {
      auto& buf = net.momentum[i].tensor;
      buf.mul_(o.momentum).add_(g);
      if (o.nesterov) {
        g.add_(buf, o.momentum);
      } else {
        g = buf;
      }
    }
    p.add_(g, -lr);
  }
}

const std::vector<StateEntry>& state_set(Net& net, int32_t which) {
  require(which == AB_STATE_MODEL || which == AB_STATE_OPTIMISER,
          "state set must be 0 (model) or 1 (optimiser), got " + std::to_string(which));
  return which == AB_STATE_MODEL ? net.state : net.momentum;
}

const StateEntry& state_entry(Net& net, int32_t which, int64_t index) {
  const auto& set = state_set(net, which);
  require(index >= 0 && index < int64_t(set.size()),
          "state index " + std::to_string(index) + " out of range [0, " + std::to_string(set.size()) + ")");
  return set[size_t(index)];
}

int64_t byte_size(const torch::Tensor& t) { return t.numel() * int64_t(t.element_size()); }

}  // namespace
}  // namespace ab

using ab::guarded;
using ab::require;

AB_EXPORT int32_t ab_net_create(const AbModelSpec* model, const AbOptimiserSpec* optimiser, void** out) {
  return guarded([&] {
    require(model && optimiser && out, "ab_net_create: null argument");
    ab::validate_optimiser(*optimiser);
    auto net = std::make_unique<ab::Net>();
    net->model = ab::build_model(*model);
    net->optimiser = *optimiser;
    net->channels = model->in_channels;
    net->height = model->in_height;
    net->width = model->in_width;
    net->classes = model->classes;
    ab::collect_state(*net);
    // Shape check once, so that a spec the architecture cannot handle (e.g. an image too small for the
    // strided stages) fails here with a message rather than at the first step.
    {
      torch::NoGradGuard no_grad;
      net->model->eval();
      auto probe = torch::zeros({1, net->channels, net->height, net->width});
      auto logits = net->model->forward(probe);
      require(logits.dim() == 2 && logits.size(1) == net->classes, "model: output shape does not match classes");
      net->model->train();
    }
    *out = net.release();
  });
}

AB_EXPORT void ab_net_free(void* net) { delete static_cast<ab::Net*>(net); }

AB_EXPORT int32_t ab_net_parameter_count(void* handle, int64_t* count) {
  return guarded([&] {
    require(count != nullptr, "null output pointer");
    *count = ab::parameter_count(*ab::as_net(handle));
  });
}

AB_EXPORT int32_t ab_net_train_step(void* handle, const float* x, const int64_t* y, int64_t batch, double lr,
                                    const AbProbeOptions* probe, AbStepResult* result, AbProbeResult* probe_result) {
  return guarded([&] {
    auto start = ab::Clock::now();
    auto& net = *ab::as_net(handle);
    require(result != nullptr, "step result pointer is null");
    require(std::isfinite(lr) && lr > 0, "learning rate must be a finite number > 0, got " + std::to_string(lr));
    require(probe == nullptr || probe_result != nullptr, "probe requested without a probe result");
    auto& sites = net.model->sites();
    if (probe) ab::validate_probe_options(*probe, int64_t(sites.size()));
    bool background = probe != nullptr && probe->background != 0;
    require(!background || !net.worker || !net.worker->pending(),
            "probe: collect the previous background probe (ab_net_probe_collect) before launching another");
    auto input = ab::input_tensor(net, x, batch);
    auto labels = ab::label_tensor(net, y, batch);

    net.model->train();
    // Dropping the gradients (rather than zero-filling them) lets the backward write them fresh.
    net.model->zero_grad(/*set_to_none=*/true);
    net.model->set_capture(probe);
    struct CaptureReset {
      ab::ProbedNetImpl* m;
      ~CaptureReset() {
        m->set_capture(nullptr);
        m->clear_captures();
      }
    } reset{net.model.get()};

    auto logits = net.model->forward(input);
    auto loss = torch::nn::functional::cross_entropy(logits, labels);
    loss.backward();
    *result = AbStepResult{};
    result->loss = loss.item<double>();
    result->correct = logits.argmax(1).eq(labels).sum().item<int64_t>();
    result->finite = std::isfinite(result->loss) && ab::gradients_finite(net);
    if (probe) {
      if (result->finite) {
        // A synchronous probe runs before the caller can refill its batch buffer: no copy of the input needed.
        ab::freeze_sites(sites, background ? input : torch::Tensor());
        if (background) {
          if (!net.worker) net.worker = std::make_unique<ab::ProbeWorker>();
          net.worker->launch(sites, batch, *probe);
          *probe_result = AbProbeResult{};
          probe_result->status = AB_PROBE_PENDING;
        } else {
          // The step waits for the probe: its Gram products may use the threads the step used.
          ab::run_probe(sites, batch, *probe, probe_result, at::get_num_threads());
        }
      } else {
        *probe_result = AbProbeResult{};
        probe_result->status = AB_PROBE_NONFINITE;
      }
    }
    if (result->finite) ab::sgd_update(net, lr);
    result->seconds = std::chrono::duration<double>(ab::Clock::now() - start).count();
  });
}

AB_EXPORT int32_t ab_net_evaluate(void* handle, const float* x, const int64_t* y, int64_t n, int64_t chunk,
                                  double* loss_sum, int64_t* correct) {
  return guarded([&] {
    auto& net = *ab::as_net(handle);
    require(loss_sum && correct, "null output pointer");
    require(chunk >= 1, "evaluation chunk must be >= 1, got " + std::to_string(chunk));
    auto input = ab::input_tensor(net, x, n);
    auto labels = ab::label_tensor(net, y, n);
    torch::NoGradGuard no_grad;
    net.model->eval();
    double total = 0;
    int64_t right = 0;
    for (int64_t start = 0; start < n; start += chunk) {
      int64_t count = std::min(chunk, n - start);
      auto logits = net.model->forward(input.narrow(0, start, count));
      auto target = labels.narrow(0, start, count);
      total += torch::nn::functional::cross_entropy(
                   logits, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                   .item<double>();
      right += logits.argmax(1).eq(target).sum().item<int64_t>();
    }
    net.model->train();
    *loss_sum = total;
    *correct = right;
  });
}

AB_EXPORT int32_t ab_net_state_count(void* handle, int32_t which, int64_t* count) {
  return guarded([&] {
    require(count != nullptr, "null output pointer");
    *count = int64_t(ab::state_set(*ab::as_net(handle), which).size());
  });
}

AB_EXPORT int32_t ab_net_state_info(void* handle, int32_t which, int64_t index, char* name, int64_t name_capacity,
                                    int32_t* dtype, int64_t* shape, int32_t shape_capacity, int32_t* ndim,
                                    int64_t* numel) {
  return guarded([&] {
    const auto& e = ab::state_entry(*ab::as_net(handle), which, index);
    require(name && dtype && shape && ndim && numel, "null output pointer");
    require(name_capacity > int64_t(e.name.size()), "name buffer too small for " + e.name);
    require(shape_capacity >= e.tensor.dim(), "shape buffer too small for " + e.name);
    std::memcpy(name, e.name.c_str(), e.name.size() + 1);
    *dtype = e.tensor.scalar_type() == torch::kLong ? AB_DTYPE_INT64 : AB_DTYPE_FLOAT32;
    *ndim = int32_t(e.tensor.dim());
    for (int64_t d = 0; d < e.tensor.dim(); ++d) shape[d] = e.tensor.size(d);
    *numel = e.tensor.numel();
  });
}

AB_EXPORT int32_t ab_net_state_get(void* handle, int32_t which, int64_t index, void* data, int64_t bytes) {
  return guarded([&] {
    const auto& e = ab::state_entry(*ab::as_net(handle), which, index);
    require(data != nullptr, "null data pointer");
    require(bytes == ab::byte_size(e.tensor), e.name + ": expected a buffer of " +
                                                  std::to_string(ab::byte_size(e.tensor)) + " bytes, got " +
                                                  std::to_string(bytes));
    auto c = e.tensor.detach().contiguous();
    std::memcpy(data, c.data_ptr(), size_t(bytes));
  });
}

AB_EXPORT int32_t ab_net_state_set(void* handle, int32_t which, int64_t index, const void* data, int64_t bytes) {
  return guarded([&] {
    const auto& e = ab::state_entry(*ab::as_net(handle), which, index);
    require(data != nullptr, "null data pointer");
    require(bytes == ab::byte_size(e.tensor), e.name + ": expected " + std::to_string(ab::byte_size(e.tensor)) +
                                                  " bytes, got " + std::to_string(bytes));
    torch::NoGradGuard no_grad;
    auto source = torch::from_blob(const_cast<void*>(data), e.tensor.sizes(), e.tensor.scalar_type());
    e.tensor.detach().copy_(source);
  });
}
