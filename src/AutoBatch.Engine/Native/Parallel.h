// Work shared between the threads of an OpenMP team, for the parts of a synchronous probe that run on the training
// step's idle intra-op threads. The team comes from libgomp, the OpenMP runtime libtorch's own intra-op threads
// belong to, so it reuses those threads rather than adding any. This is its own translation unit, built with
// -fopenmp: ATen's at::parallel_for is header code and runs serially in a unit built without it.
#pragma once
#include <cstdint>
#include <functional>

namespace ab {

// Calls body(part) for part = 0 .. parts - 1, each on its own thread of a team of `parts` (the caller is one of them),
// and returns when all have. parts <= 1: body(0) on the caller. body must not throw.
void parallel_parts(int parts, const std::function<void(int)>& body);

// Splits [0, count) into up to `threads` consecutive ranges of about equal length, none shorter than min_items (so
// that small work stays on the caller), and calls body(begin, end) for each, as parallel_parts does. The ranges
// depend only on count, threads and min_items; what the bodies compute must not depend on them.
void parallel_ranges(int64_t count, int threads, int64_t min_items,
                     const std::function<void(int64_t, int64_t)>& body);

}  // namespace ab
