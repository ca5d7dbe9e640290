// Network handle: the probe's entry points (a probe without an update, the background probe's result, the probed
// layers) and the brute-force gradients tests and the benchmark check the probe against, behind the C ABI.
#include <algorithm>
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
using detail::restore_buffers;
using detail::snapshot_buffers;

namespace {

void flatten_gradients(Net& net, float* out, int64_t row) {
  int64_t offset = 0;
  for (const auto& p : net.parameters) {
    int64_t n = p.tensor.numel();
    auto g = p.tensor.grad();
    float* dst = out + row + offset;
    if (g.defined()) {
      auto c = g.contiguous();
      std::memcpy(dst, c.data_ptr<float>(), sizeof(float) * size_t(n));
    } else {
      std::fill(dst, dst + n, 0.0f);
    }
    offset += n;
  }
}

}  // namespace
}  // namespace ab

using ab::guarded;
using ab::require;

AB_EXPORT int32_t ab_net_probe(void* handle, const float* x, const int64_t* y, int64_t batch, int32_t train_mode,
                               const AbProbeOptions* probe, AbProbeResult* probe_result) {
  return guarded([&] {
    auto& net = *ab::as_net(handle);
    require(probe && probe_result, "probe options or result pointer is null");
    auto& sites = net.model->sites();
    ab::validate_probe_options(*probe, int64_t(sites.size()));
    auto input = ab::input_tensor(net, x, batch);
    auto labels = ab::label_tensor(net, y, batch);
    auto saved = ab::snapshot_buffers(net);  // a training-mode forward would move the BN running statistics
    net.model->train(train_mode != 0);
    net.model->zero_grad();
    net.model->set_capture(probe);
    struct Reset {
      ab::Net* n;
      const std::vector<torch::Tensor>* saved;
      ~Reset() {
        n->model->set_capture(nullptr);
        n->model->clear_captures();
        n->model->zero_grad();
        ab::restore_buffers(*n, *saved);
        n->model->train();
      }
    } reset{&net, &saved};
    auto loss = torch::nn::functional::cross_entropy(net.model->forward(input), labels);
    loss.backward();
    ab::freeze_sites(sites, torch::Tensor());  // the probe runs before this call returns: no copy of the input
    ab::run_probe(sites, batch, *probe, probe_result, at::get_num_threads());
  });
}

AB_EXPORT int32_t ab_net_probe_collect(void* handle, const AbProbeOptions* outputs, AbProbeResult* result) {
  return guarded([&] {
    auto& net = *ab::as_net(handle);
    require(outputs && result, "probe collect: outputs or result pointer is null");
    require(net.worker && net.worker->pending(), "probe collect: no background probe was launched");
    net.worker->collect(*outputs, result);
  });
}

AB_EXPORT int32_t ab_net_probe_layer_count(void* handle, int64_t* count) {
  return guarded([&] {
    require(count != nullptr, "null output pointer");
    *count = int64_t(ab::as_net(handle)->model->sites().size());
  });
}

AB_EXPORT int32_t ab_net_probe_layer_name(void* handle, int64_t index, char* buffer, int64_t capacity) {
  return guarded([&] {
    auto& sites = ab::as_net(handle)->model->sites();
    require(index >= 0 && index < int64_t(sites.size()), "probe layer index out of range");
    const auto& name = sites[size_t(index)].name;
    require(buffer && capacity > int64_t(name.size()), "name buffer too small");
    std::memcpy(buffer, name.c_str(), name.size() + 1);
  });
}

namespace {
template <typename Body>
int32_t with_gradient_pass(void* handle, const float* x, const int64_t* y, int64_t batch, int32_t train_mode,
                           float* out, int64_t capacity, int64_t rows, Body&& body) {
  return guarded([&] {
    auto& net = *ab::as_net(handle);
    require(out != nullptr, "gradient output pointer is null");
    int64_t p = ab::parameter_count(net);
    require(capacity >= rows * p, "gradient buffer holds " + std::to_string(capacity) + " floats, needs " +
                                      std::to_string(rows * p));
    auto input = ab::input_tensor(net, x, batch);
    auto labels = ab::label_tensor(net, y, batch);
    auto saved = ab::snapshot_buffers(net);
    net.model->train(train_mode != 0);
    body(net, input, labels, p);
    net.model->zero_grad();
    ab::restore_buffers(net, saved);
    net.model->train();
  });
}
}  // namespace

AB_EXPORT int32_t ab_net_per_sample_gradients(void* handle, const float* x, const int64_t* y, int64_t batch,
                                              int32_t train_mode, float* out, int64_t capacity) {
  return with_gradient_pass(handle, x, y, batch, train_mode, out, capacity, batch,
                            [&](ab::Net& net, torch::Tensor& input, torch::Tensor& labels, int64_t p) {
                              for (int64_t i = 0; i < batch; ++i) {
                                net.model->zero_grad();
                                auto loss = torch::nn::functional::cross_entropy(
                                    net.model->forward(input.narrow(0, i, 1)), labels.narrow(0, i, 1));
                                loss.backward();
                                ab::flatten_gradients(net, out, i * p);
                              }
                            });
}

AB_EXPORT int32_t ab_net_batch_gradient(void* handle, const float* x, const int64_t* y, int64_t batch,
                                        int32_t train_mode, float* out, int64_t capacity) {
  return with_gradient_pass(handle, x, y, batch, train_mode, out, capacity, 1,
                            [&](ab::Net& net, torch::Tensor& input, torch::Tensor& labels, int64_t) {
                              net.model->zero_grad();
                              torch::nn::functional::cross_entropy(net.model->forward(input), labels).backward();
                              ab::flatten_gradients(net, out, 0);
                            });
}
