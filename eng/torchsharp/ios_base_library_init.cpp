// GCC 13's libstdc++ (GLIBCXX_3.4.32) exports std::ios_base_library_init(), which a program built with it calls to
// set up the standard streams. libLibTorchSharp.so 0.107 was built with GCC 13 and references this one symbol from
// that version; Debian 12's libstdc++ (GLIBCXX_3.4.30) initialises the streams itself and lacks it. Constructing an
// ios_base::Init does what the GCC 13 function does, so this tiny library stands in for it (patch_libtorchsharp.py).
#include <ios>

namespace std {
__attribute__((visibility("default"))) void ios_base_library_init() { static ios_base::Init init; }
}  // namespace std
