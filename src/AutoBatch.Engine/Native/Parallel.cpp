#include "Parallel.h"

#include <algorithm>

namespace ab {

void parallel_parts(int parts, const std::function<void(int)>& body) {
  if (parts <= 1) {
    body(0);
    return;
  }
#pragma omp parallel for num_threads(parts) schedule(static, 1)
  for (int part = 0; part < parts; ++part) body(part);
}

void parallel_ranges(int64_t count, int threads, int64_t min_items,
                     const std::function<void(int64_t, int64_t)>& body) {
  if (count <= 0) return;
  int64_t parts = std::clamp<int64_t>(count / std::max<int64_t>(min_items, 1), 1, std::max(threads, 1));
  parallel_parts(int(parts), [&](int part) { body(count * part / parts, count * (part + 1) / parts); });
}

}  // namespace ab
