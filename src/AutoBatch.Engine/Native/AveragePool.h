// The residual shortcut's 2 x 2 average pooling (stride 2) over raw float32 buffers, forward and backward, for the
// TorchSharp engine's built-in ResNets. LibTorch 2.10's CPU pooling kernel is scalar; these are a pass over memory.
// x: planes x height x width (contiguous; planes = N C), height and width even; y: planes x height/2 x width/2.
#pragma once
#include <cstdint>

namespace ab {

// y = ((x00 + x01) + x10) + x11) / 4 for each 2 x 2 block, in the order LibTorch's pooling adds a window: its bits.
void average_pool_2x2(const float* x, int64_t planes, int64_t height, int64_t width, float* y, int threads);

// dx = dy / 4 at each of a block's four positions: the bits of LibTorch's pooling backward.
void average_pool_2x2_backward(const float* dy, int64_t planes, int64_t height, int64_t width, float* dx, int threads);

}  // namespace ab
