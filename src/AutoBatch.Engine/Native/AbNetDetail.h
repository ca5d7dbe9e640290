// The network handle behind the C ABI (AbNet.cpp, AbNetProbe.cpp): what both files use, internal to the library.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "AbApi.h"
#include "Errors.h"
#include "Models.h"
#include "ProbeWorker.h"

namespace ab {
namespace detail {

struct StateEntry {
  std::string name;
  torch::Tensor tensor;
};

struct Net {
  std::shared_ptr<ProbedNetImpl> model;
  AbOptimiserSpec optimiser{};
  int64_t channels = 0, height = 0, width = 0, classes = 0;
  std::vector<StateEntry> state;      // PyTorch state_dict order: per module, own parameters then own buffers
  std::vector<StateEntry> parameters;  // trainable parameters, in the same order
  std::vector<StateEntry> momentum;    // one buffer per parameter ("<name>.momentum_buffer")
  // Declared last, so destroyed first: a background probe reads the model's modules.
  std::unique_ptr<ProbeWorker> worker;
};

inline Net* as_net(void* handle) {
  require(handle != nullptr, "network handle is null (already freed?)");
  return static_cast<Net*>(handle);
}

inline torch::Tensor input_tensor(const Net& net, const float* x, int64_t batch) {
  require(x != nullptr, "input batch pointer is null");
  require(batch >= 1, "batch size must be >= 1, got " + std::to_string(batch));
  return torch::from_blob(const_cast<float*>(x), {batch, net.channels, net.height, net.width}, torch::kFloat);
}

inline torch::Tensor label_tensor(const Net& net, const int64_t* y, int64_t batch) {
  require(y != nullptr, "label pointer is null");
  auto labels = torch::from_blob(const_cast<int64_t*>(y), {batch}, torch::kLong);
  int64_t lo = labels.min().item<int64_t>(), hi = labels.max().item<int64_t>();
  require(lo >= 0 && hi < net.classes, "labels must be in [0, " + std::to_string(net.classes) + "), found " +
                                           std::to_string(lo < 0 ? lo : hi));
  return labels;
}

inline std::vector<torch::Tensor> snapshot_buffers(Net& net) {
  std::vector<torch::Tensor> saved;
  for (const auto& b : net.model->buffers()) saved.push_back(b.clone());
  return saved;
}

inline void restore_buffers(Net& net, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  auto buffers = net.model->buffers();
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
}

inline int64_t parameter_count(const Net& net) {
  int64_t total = 0;
  for (const auto& p : net.parameters) total += p.tensor.numel();
  return total;
}

}  // namespace detail
}  // namespace ab
