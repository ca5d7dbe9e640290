#include "ConvRows.h"

#include "Parallel.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

namespace ab {

namespace {

// A tile: M output channels (o0 .. o0 + M) by NB x 16 columns (ky, j0 .. j0 + 16 NB) of one sample's gradient, where
// j = kx C + c runs over one kernel row: for a fixed ky and output position, those kw C input values lie next to each
// other in the channels-last padded input. M x NB accumulators of 16 lanes; per output position NB loads of input,
// M broadcasts of the output gradient (one from each of M channel rows) and M x NB fused multiply-adds (M = 8,
// NB = 3: 24 per 11 loads).
constexpr int kMaxM = 8;
constexpr int kMaxBlocks = 3;
constexpr int64_t kLanes = 16;

struct TileArgs {
  const float* x;  // the sample's padded input, channels last, at row ky and column j0
  const float* d;  // the sample's output gradient (O x Ho x Wo), at channel o0
  int64_t row_step, position_step;  // floats between input rows s_h Wp C, and between output columns s_w C
  int64_t out_height, out_width, positions;  // positions = Ho Wo, the floats between output channels of d
  __mmask16 last;  // lanes of the last block inside the kernel row
  float* out;      // the gradient of (o0, ky, j0)
  int64_t o_step;  // floats between output channels in a row: kh kw C
};

template <int M, int NB>
__attribute__((target("avx512f"))) void tile(const TileArgs& t) {
  __m512 acc[M][NB];
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 3
    for (int b = 0; b < NB; ++b) acc[m][b] = _mm512_setzero_ps();
  for (int64_t y = 0; y < t.out_height; ++y) {
    const float* xr = t.x + y * t.row_step;
    const float* dr = t.d + y * t.out_width;
    for (int64_t xo = 0; xo < t.out_width; ++xo) {
      const float* src = xr + xo * t.position_step;
      __m512 v[NB];
#pragma GCC unroll 3
      for (int b = 0; b < NB - 1; ++b) v[b] = _mm512_loadu_ps(src + b * kLanes);
      v[NB - 1] = _mm512_maskz_loadu_ps(t.last, src + (NB - 1) * kLanes);
      const float* a = dr + xo;
#pragma GCC unroll 8
      for (int m = 0; m < M; ++m) {
        __m512 s = _mm512_set1_ps(a[m * t.positions]);
#pragma GCC unroll 3
        for (int b = 0; b < NB; ++b) acc[m][b] = _mm512_fmadd_ps(s, v[b], acc[m][b]);
      }
    }
  }
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m) {
    float* o = t.out + m * t.o_step;
#pragma GCC unroll 3
    for (int b = 0; b < NB - 1; ++b) _mm512_storeu_ps(o + b * kLanes, acc[m][b]);
    _mm512_mask_storeu_ps(o + (NB - 1) * kLanes, t.last, acc[m][NB - 1]);
  }
}

// GCC 12 warns that the shuffle intrinsics' internal placeholder operands may be used uninitialized (they are not
// read).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// r[i][j] -> r[j][i] for a 16 x 16 block in registers (r[i] lane j).
__attribute__((target("avx512f"))) inline void transpose16(__m512 (&r)[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);      // per 128-bit lane L: r_i[4L], r_i+1[4L], r_i[4L+1], r_i+1[4L+1]
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);  // r_i[4L+2], r_i+1[4L+2], r_i[4L+3], r_i+1[4L+3]
  }
  for (int g = 0; g < 16; g += 4) {  // u[g + k], lane L: column 4L + k of rows g .. g + 3
    u[g] = _mm512_shuffle_ps(t[g], t[g + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[g + 1] = _mm512_shuffle_ps(t[g], t[g + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[g + 2] = _mm512_shuffle_ps(t[g + 1], t[g + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[g + 3] = _mm512_shuffle_ps(t[g + 1], t[g + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int k = 0; k < 4; ++k) {
    __m512 w0 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0x44);       // lanes 0, 1 of rows 0-3, then of rows 4-7
    __m512 w1 = _mm512_shuffle_f32x4(u[k], u[4 + k], 0xEE);       // lanes 2, 3
    __m512 w2 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0x44);  // rows 8-11, 12-15
    __m512 w3 = _mm512_shuffle_f32x4(u[8 + k], u[12 + k], 0xEE);
    r[k] = _mm512_shuffle_f32x4(w0, w2, 0x88);       // column k
    r[4 + k] = _mm512_shuffle_f32x4(w0, w2, 0xDD);   // column 4 + k
    r[8 + k] = _mm512_shuffle_f32x4(w1, w3, 0x88);   // column 8 + k
    r[12 + k] = _mm512_shuffle_f32x4(w1, w3, 0xDD);  // column 12 + k
  }
}
#pragma GCC diagnostic pop

// One sample's input x (C x H x W) into buf (Hp x Wp x C, channels last) at row pad_h, column pad_w; the padding
// around it is left as it is (zero). Blocks of 16 channels x 16 columns go through transpose16.
__attribute__((target("avx512f"))) void to_channels_last(const float* x, int64_t C, int64_t H, int64_t W,
                                                         int64_t wp, int64_t pad_h, int64_t pad_w, float* buf) {
  for (int64_t y = 0; y < H; ++y)
    for (int64_t c0 = 0; c0 < C; c0 += kLanes) {
      int64_t channels = std::min<int64_t>(kLanes, C - c0);
      __mmask16 channel_mask = __mmask16((1u << channels) - 1u);
      for (int64_t x0 = 0; x0 < W; x0 += kLanes) {
        int64_t columns = std::min<int64_t>(kLanes, W - x0);
        __mmask16 column_mask = __mmask16((1u << columns) - 1u);
        __m512 r[16];
        for (int64_t c = 0; c < kLanes; ++c)
          r[c] = c < channels ? _mm512_maskz_loadu_ps(column_mask, x + ((c0 + c) * H + y) * W + x0)
                              : _mm512_setzero_ps();
        transpose16(r);
        float* dst = buf + ((y + pad_h) * wp + x0 + pad_w) * C + c0;
        for (int64_t j = 0; j < columns; ++j) _mm512_mask_storeu_ps(dst + j * C, channel_mask, r[j]);
      }
    }
}

using TileFn = void (*)(const TileArgs&);

template <int M>
TileFn tile_for_blocks(int blocks) {
  switch (blocks) {
    case 1: return tile<M, 1>;
    case 2: return tile<M, 2>;
    default: return tile<M, 3>;
  }
}

TileFn tile_for(int m, int blocks) {
  switch (m) {
    case 1: return tile_for_blocks<1>(blocks);
    case 2: return tile_for_blocks<2>(blocks);
    case 3: return tile_for_blocks<3>(blocks);
    case 4: return tile_for_blocks<4>(blocks);
    case 5: return tile_for_blocks<5>(blocks);
    case 6: return tile_for_blocks<6>(blocks);
    case 7: return tile_for_blocks<7>(blocks);
    default: return tile_for_blocks<8>(blocks);
  }
}

}  // namespace

void direct_conv_rows(const DirectConvShape& s, const float* x, const float* d, int64_t n, float* out, int64_t ld,
                      int threads) {
  const int64_t C = s.channels, O = s.out_channels, kh = s.kernel_height, kw = s.kernel_width;
  const int64_t K = kh * kw * C;  // gradients per output channel: the (ky, kx, c) of one row
  const int64_t positions = s.out_height * s.out_width;
  const int64_t hp = s.height + 2 * s.pad_height, wp = s.width + 2 * s.pad_width;
  // A kernel row (kx, c) of fewer than 16 values would leave most lanes idle (the 1-channel stem: 3 of 16): then each
  // sample's input goes into an im2col buffer, positions x (ky, kx, c), and the tiles run over all of K at once.
  const bool im2col = kw * C < kLanes;
  const int64_t row_length = im2col ? K : kw * C;
  const int64_t kernel_rows = im2col ? 1 : kh;
  const int64_t row_step = im2col ? s.out_width * K : s.stride_height * wp * C;
  const int64_t position_step = im2col ? K : s.stride_width * C;
  const int64_t buffer_size = im2col ? positions * K : hp * wp * C;
  // Samples per thread at least enough for ~2^20 multiply-adds, so that small layers stay on one thread.
  int64_t work = std::max<int64_t>(1, O * K * positions);
  int64_t min_samples = std::max<int64_t>(1, (int64_t(1) << 20) / work);
  // Consecutive ranges of samples, one per thread, as parallel_ranges splits them; each thread's copy of one
  // sample's input (channels last with zero padding around, written once; or im2col, positions x (ky, kx, c), from a
  // zero-padded copy) is allocated here, before the team starts: an allocation failure must not throw inside it.
  int64_t parts = std::clamp<int64_t>(n / min_samples, 1, std::max(threads, 1));
  const int64_t padded_size = im2col ? C * hp * wp : 0;
  std::vector<std::vector<float>> inputs(static_cast<size_t>(parts)), padded_inputs(static_cast<size_t>(parts));
  for (int64_t part = 0; part < parts; ++part) {
    inputs[size_t(part)].assign(size_t(buffer_size), 0.0f);
    padded_inputs[size_t(part)].assign(size_t(padded_size), 0.0f);
  }
  parallel_parts(int(parts), [&](int part) {
    std::vector<float>& input = inputs[size_t(part)];
    std::vector<float>& padded = padded_inputs[size_t(part)];
    for (int64_t i = n * part / parts; i < n * (part + 1) / parts; ++i) {
      const float* xi = x + i * C * s.height * s.width;
      if (im2col) {
        for (int64_t c = 0; c < C; ++c)
          for (int64_t y = 0; y < s.height; ++y)
            std::copy(xi + (c * s.height + y) * s.width, xi + (c * s.height + y + 1) * s.width,
                      padded.data() + (c * hp + y + s.pad_height) * wp + s.pad_width);
        for (int64_t ky = 0, k = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx)
            for (int64_t c = 0; c < C; ++c, ++k)
              for (int64_t y = 0; y < s.out_height; ++y) {
                const float* src = padded.data() + (c * hp + y * s.stride_height + ky) * wp + kx;
                float* dst = input.data() + y * s.out_width * K + k;
                for (int64_t xo = 0; xo < s.out_width; ++xo) dst[xo * K] = src[xo * s.stride_width];
              }
      } else {
        to_channels_last(xi, C, s.height, s.width, wp, s.pad_height, s.pad_width, input.data());
      }
      float* row = out + i * ld;
      for (int64_t ky = 0; ky < kernel_rows; ++ky) {
        for (int64_t j0 = 0; j0 < row_length; j0 += kMaxBlocks * kLanes) {
          int64_t width = std::min<int64_t>(kMaxBlocks * kLanes, row_length - j0);
          int blocks = int((width + kLanes - 1) / kLanes);
          int64_t tail = width - (blocks - 1) * kLanes;
          TileArgs t{};
          t.x = input.data() + (im2col ? 0 : ky * wp * C) + j0;
          t.row_step = row_step;
          t.position_step = position_step;
          t.out_height = s.out_height;
          t.out_width = s.out_width;
          t.positions = positions;
          t.last = __mmask16((1u << tail) - 1u);
          t.o_step = K;
          for (int64_t o0 = 0; o0 < O; o0 += kMaxM) {
            int m = int(std::min<int64_t>(kMaxM, O - o0));
            t.d = d + (i * O + o0) * positions;
            t.out = row + o0 * K + ky * row_length + j0;
            tile_for(m, blocks)(t);
          }
        }
      }
    }
  });
}

}  // namespace ab
