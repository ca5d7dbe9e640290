// The Fisher probe (docs/DESIGN.md, 'The probe'): the per-sample gradient Gram matrix F~ = J'J summed layer by layer
// from the captured inputs and output gradients of one forward/backward, never forming J for the whole model, then its
// spectrum and the paper's measures.
#pragma once
#include <array>
#include <vector>

#include <torch/torch.h>

#include "AbApi.h"
#include "Models.h"

namespace ab {

enum class GramPath { Ghost, Materialise };

struct GramConfig {
  AbGramMode mode = AB_GRAM_AUTO;
  int64_t memory_cap_bytes = int64_t(256) << 20;
  AbConvKernel conv_kernel = AB_CONV_AUTO;
  AbGramKernel gram_kernel = AB_GRAM_KERNEL_AUTO;
  // Threads of the AVX-512 Gram kernel: libtorch's intra-op count for a synchronous probe (the training step waits
  // for it, so its threads are idle), 1 on the background probe's thread (training keeps its own).
  int threads = 1;
  // The probe's own requests (run_probe): every layer Gram needs only its lower triangle, diagonal included, right;
  // the upper one may hold anything (the analysis symmetrises F~, and one mirror of the summed lower triangle does it).
  // Saves, per layer, the kernel's mirror and half of each pass over B x B entries. False for standalone Grams.
  bool lower_only = false;
};

// A Conv2d layer's geometry, all the conv Gram needs (groups = 1).
struct ConvGeometry {
  int64_t in_channels, out_channels;
  std::array<int64_t, 2> kernel, stride, padding, dilation;
  bool has_bias;
};

// The settings of one probe request.
GramConfig gram_config(const AbProbeOptions& options);

// Output size of a conv along axis (0 = height, 1 = width) for an input of that size (< 1: the kernel does not fit).
int64_t conv_output_size(const ConvGeometry& conv, int axis, int64_t input_size);

// A conv site's geometry; throws ArgumentError for a layer the probe does not handle (groups > 1, string padding).
ConvGeometry geometry_of(const ProbeSite& site);

// The fused conv path (ProbedNetImpl::conv): true when the probe would materialise this conv site's Gram from
// direct- or grouped-kernel rows held in one B x p float32 block under the cap, so that the layer's backward can
// compute those rows instead. Decided before the forward, from the input the layer is about to get; false for any
// layer the post-hoc path should keep (unfold kernel, ghost by choice or by the cost model, rows over the cap,
// geometry the probe does not handle).
bool fuses_conv(const ProbeSite& site, const torch::Tensor& input, const GramConfig& config);

// How a conv layer's per-sample rows are computed. Direct (ConvRows.h) and grouped give the same gradients up to
// float32 rounding; direct rows hold the weights in (C_out, kh, kw, C_in) order, the others in PyTorch's
// (C_out, C_in, kh, kw). row_kernel: the one a request selects for a layer (auto and direct: direct where it applies,
// AVX-512F and dilation 1; grouped elsewhere).
enum class RowKernel { Unfold, Grouped, Direct };
RowKernel row_kernel(const ConvGeometry& conv, AbConvKernel requested);

// All n per-sample weight (and bias) gradient rows (n x p float32) of a conv layer from its input and an output
// gradient, by the grouped or direct kernel (the latter on up to `threads` threads), in sample chunks that keep each
// chunk's rows and scratch under the cap.
torch::Tensor conv_sample_rows(const ConvGeometry& conv, const torch::Tensor& input, const torch::Tensor& grad_output,
                               RowKernel kernel, int64_t memory_cap_bytes, int threads);

// The weight gradient (C_out x C_in x kh x kw, PyTorch's layout) from the column sums of a layer's rows.
torch::Tensor conv_weight_gradient(const ConvGeometry& conv, const torch::Tensor& column_sums, RowKernel kernel);

// The path the cost model picks for a site (BatchNorm is always materialised: it has only 2C numbers per sample).
GramPath choose_path(const ProbeSite& site, int64_t batch, AbGramMode mode);

// How layer_gram forms this site's Gram: the fused rows when its backward left them, else choose_path's choice.
AbLayerPath layer_path(const ProbeSite& site, int64_t batch, AbGramMode mode);

// rows rows' (n x n float64, both triangles, or only the lower one right when lower_only) for n x k float32 or float64
// rows, products and sums in float64, by the given kernel (auto: AVX-512 when the CPU has it, else BLAS dsyrk), the
// AVX-512 one on up to `threads` threads (the result does not depend on their number). The product every layer's F~
// contribution ends in.
torch::Tensor row_gram(const torch::Tensor& rows, AbGramKernel kernel, int threads = 1, bool lower_only = false);

// This site's B x B float64 contribution to F~ (only its lower triangle right with config.lower_only). grad_output
// must hold dL/d(output) of the *mean* batch loss.
torch::Tensor layer_gram(const ProbeSite& site, int64_t batch, const GramConfig& config);

// A conv layer's Gram from its input (n x C_in x H x W) and delta = B dL/d(output) (n x C_out x H' x W').
torch::Tensor conv_gram(const ConvGeometry& conv, const torch::Tensor& input, const torch::Tensor& delta,
                        const GramConfig& config);

// Fills result (and the optional outputs of options) from the summed Gram; never throws on bad numbers.
// threads: for the symmetrisation (the result does not depend on them). symmetric: the caller guarantees that gram
// is exactly symmetric (float64, contiguous), so the symmetrisation (a + a') / 2, which would return it unchanged, is
// skipped.
void analyse_gram(const torch::Tensor& gram, const std::vector<double>& layer_traces,
                  const std::vector<double>& layer_sums, const AbProbeOptions& options, AbProbeResult* result,
                  int threads = 1, bool symmetric = false);

// Makes the captured sites self-contained, so the probe may run after the step returned (in the background): copies
// what the probe reads from the modules (BatchNorm mode and running statistics), and copies inputs that alias
// step_input, the caller's batch buffer, when it is given (undefined: the probe runs before the caller gets control
// back, so the buffer cannot change under it). Call after the backward, before run_probe.
void freeze_sites(std::vector<ProbeSite>& sites, const torch::Tensor& step_input);

// Runs every site (frozen by freeze_sites), sums the Grams and analyses them; the Gram kernel on up to gram_threads
// threads (GramConfig::threads).
void run_probe(std::vector<ProbeSite>& sites, int64_t batch, const AbProbeOptions& options, AbProbeResult* result,
               int gram_threads);

void validate_probe_options(const AbProbeOptions& options, int64_t layer_count);

}  // namespace ab
