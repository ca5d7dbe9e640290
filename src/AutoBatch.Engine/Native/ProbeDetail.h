// What the probe's translation units (Probe.cpp, ProbeConv.cpp, ProbeAnalysis.cpp) share with each other and with
// nothing else: internal to the library, not part of Probe.h's interface.
#pragma once
#include <cstdint>
#include <functional>

#include <torch/torch.h>

#include "Probe.h"

namespace ab {
namespace detail {

// Elementwise passes of a synchronous probe go to the intra-op threads in ranges of at least this many entries
// (a 2^15-entry float64 pass takes ~10-20 us, about what handing it to a team costs): at B = 512, not at 128.
constexpr int64_t kMinParallelEntries = int64_t(1) << 15;

// ---------------------------------------------------------------------------------------------------------------
using RowsFn = std::function<torch::Tensor(int64_t, int64_t)>;

// All B rows (B x p float32, which the caller has checked fit under the cap): rows(start, count) -> count x p float32
// rows, called on chunks that keep a chunk's rows and scratch under the cap. scratch_per_row: bytes the row function
// needs per sample besides its output (im2col buffers, copies).
torch::Tensor all_rows(const RowsFn& rows, int64_t batch, int64_t p, int64_t scratch_per_row, int64_t cap);

// Gram of per-sample rows (see all_rows). When the B x p rows fit under the cap they are built once and multiplied
// once; only when the rows themselves exceed the cap are they recomputed per block pair.
torch::Tensor gram_from_rows(const RowsFn& rows, int64_t batch, int64_t p, int64_t scratch_per_row,
                             const GramConfig& config);

// ---------------------------------------------------------------------------------------------------------------
struct LayerShape {
  int64_t d_in;   // input features per position (C_in * k * k for a conv)
  int64_t d_out;  // output features per position
  int64_t positions;  // T: 1 for Linear, H_out * W_out for Conv2d
};

// Cost model of docs/DESIGN.md, 'The probe' (multiply-adds): ghost ~ B^2 T^2 (d_in + d_out);
// materialise ~ B T d_in d_out (per-sample gradients) + B^2 d_in d_out (their Gram).
inline GramPath cheaper_path(const LayerShape& s, int64_t batch) {
  double b = double(batch), t = double(s.positions);
  double ghost = b * b * t * t * double(s.d_in + s.d_out);
  double materialise = b * t * double(s.d_in) * double(s.d_out) + b * b * double(s.d_in) * double(s.d_out);
  return ghost <= materialise ? GramPath::Ghost : GramPath::Materialise;
}

}  // namespace detail
}  // namespace ab
