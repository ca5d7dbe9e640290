// The paper's models (docs/DESIGN.md, 'Training protocol') as libtorch modules whose Linear / Conv2d / BatchNorm layers
// are "probe sites": when capture is on, each site keeps its input and receives the gradient of the loss w.r.t. its
// output through a tensor hook, which is all the Fisher probe needs (no extra forward or backward pass).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "AbApi.h"

namespace ab {

enum class SiteKind { Linear, Conv, BatchNorm };

struct ProbeSite {
  SiteKind kind;
  std::string name;  // PyTorch-style module path, e.g. "layer1.0.conv1"
  torch::nn::Module* module;
  torch::Tensor input;        // captured input (detached)
  torch::Tensor grad_output;  // dL/d(output) of the mean batch loss
  // Module state the probe reads, copied when the probe is handed its sites (freeze_sites): a probe running in the
  // background must see this step's BatchNorm mode and running statistics, not the next forward's.
  bool frozen = false;
  bool training = true;
  torch::Tensor running_mean, running_var;
  // Conv sites on the fused path only (ProbedNetImpl::conv): the B x p float32 per-sample gradients of the mean batch
  // loss, computed by the layer's own backward in place of its batch weight gradient; input and grad_output stay empty.
  torch::Tensor rows;
  double rows_seconds = 0;  // wall time the backward spent on those rows and their sum (the batch weight gradient)
};

class ProbedNetImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  std::vector<ProbeSite>& sites() { return sites_; }
  // probe: the request this forward/backward serves, or null for no capture. Its gram mode, conv kernel and memory
  // cap decide which conv layers take the fused path.
  void set_capture(const AbProbeOptions* probe) {
    capture_ = probe != nullptr;
    if (probe) probe_ = *probe;
    fused_bytes_ = 0;
  }
  void clear_captures();

 protected:
  size_t add_site(SiteKind kind, const std::string& name, torch::nn::Module* module);
  torch::Tensor linear(size_t site, torch::nn::Linear& layer, const torch::Tensor& x);
  torch::Tensor conv(size_t site, torch::nn::Conv2d& layer, const torch::Tensor& x);
  torch::Tensor batch_norm(size_t site, torch::nn::BatchNorm2d& layer, const torch::Tensor& x);

 private:
  torch::Tensor capture(size_t site, const torch::Tensor& input, torch::Tensor output);
  std::vector<ProbeSite> sites_;
  bool capture_ = false;
  AbProbeOptions probe_{};
  int64_t fused_bytes_ = 0;  // rows the fused conv layers of this forward will hold until the probe consumes them
};

// Builds the network described by spec; throws ArgumentError on an invalid spec.
std::shared_ptr<ProbedNetImpl> build_model(const AbModelSpec& spec);

}  // namespace ab
