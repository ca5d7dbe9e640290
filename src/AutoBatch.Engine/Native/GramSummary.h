// The pass over F~ that comes before its spectrum (docs/DESIGN.md): symmetrise it, then collect in one read finiteness,
// the largest |entry|, the sum of all entries and the trace.
#pragma once
#include <cstdint>

namespace ab {

struct GramSummary {
  bool finite;     // every entry is finite
  double max_abs;  // the largest |entry|
  double total;    // the sum of all entries (1'F1)
  double trace;
};

// s = (a + a') / 2 for a: n x n, row-major; s must not overlap a. Exactly symmetric (a + b == b + a in float64). In
// 8 x 8 blocks, so that the transposed reads of a block stay in cache even when rows are 4 KiB apart and all map to
// one L1 set; rows of blocks go to up to `threads` threads of an OpenMP team in ranges of at least 2^15 entries (the
// result does not depend on them).
void symmetrise(const double* a, double* s, int64_t n, int threads);

// One pass over g (n x n, row-major): the maximum and the sum in four interleaved lanes (entry k in lane k % 4) added in
// a fixed order, the trace in row order.
GramSummary summarise_gram(const double* g, int64_t n);

}  // namespace ab
