// Old (main, 7e5c075 sources) vs new (branch kernels) libautobatch_native: the same probes, bit for bit.
#include <dlfcn.h>
#include <cstdio>
#include <cstring>
#include <vector>
#include <random>
#include "AbApi.h"
struct Lib {
  void* h;
  decltype(&ab_net_create) create; decltype(&ab_net_probe) probe; decltype(&ab_set_threads) threads;
  decltype(&ab_row_gram) row_gram; decltype(&ab_analyse_gram) analyse; decltype(&ab_last_error) err;
  explicit Lib(const char* p) {
    h = dlopen(p, RTLD_NOW | RTLD_LOCAL);
    if (!h) { printf("%s\n", dlerror()); exit(1); }
    create = (decltype(create))dlsym(h, "ab_net_create"); probe = (decltype(probe))dlsym(h, "ab_net_probe");
    threads = (decltype(threads))dlsym(h, "ab_set_threads"); row_gram = (decltype(row_gram))dlsym(h, "ab_row_gram");
    analyse = (decltype(analyse))dlsym(h, "ab_analyse_gram"); err = (decltype(err))dlsym(h, "ab_last_error");
  }
};
static int mismatches = 0;
static void same(const char* what, const void* a, const void* b, size_t bytes) {
  bool ok = memcmp(a, b, bytes) == 0;
  if (!ok) ++mismatches;
  printf("%-60s %s\n", what, ok ? "same bits" : "DIFFERENT");
}
int main(int argc, char** argv) {
  Lib old_lib(argv[1]), new_lib(argv[2]);
  int thread_counts[] = {1, 2};
  for (int t : thread_counts) {
    old_lib.threads(t, 1); new_lib.threads(t, 1);
    for (int model = 0; model < 2; ++model) {
      int hidden[] = {100, 50};
      AbModelSpec spec{};
      spec.kind = model == 0 ? AB_MODEL_MLP : AB_MODEL_RESNET;
      spec.in_channels = model == 0 ? 1 : 3; spec.in_height = spec.in_width = model == 0 ? 28 : 32; spec.classes = 10;
      spec.hidden_count = 2; spec.hidden = hidden; spec.resnet_units = 1; spec.resnet_base_width = 16; spec.seed = 7;
      AbOptimiserSpec opt{0.9, 1e-4, 1};
      void *a, *b;
      if (old_lib.create(&spec, &opt, &a) || new_lib.create(&spec, &opt, &b)) { printf("create: %s\n", new_lib.err()); return 1; }
      for (int batch : {13, 64}) {
        std::mt19937 rng(batch);
        std::normal_distribution<float> normal;
        std::vector<float> x(size_t(batch) * spec.in_channels * spec.in_height * spec.in_width);
        for (auto& v : x) v = normal(rng);
        std::vector<int64_t> y(batch);
        for (auto& v : y) v = rng() % 10;
        for (int kernel = 0; kernel < 2; ++kernel)
          for (int train = 0; train < 2; ++train)
            for (int eig = 0; eig < 2; ++eig) {
              std::vector<double> ga(size_t(batch) * batch), gb(ga.size()), ea(batch), eb(batch), ta(64), tb(64), sa(64), sb(64);
              AbProbeOptions oa{}, ob{};
              oa.memory_cap_bytes = ob.memory_cap_bytes = int64_t(256) << 20;
              oa.gram_kernel = ob.gram_kernel = kernel;
              oa.gram = ga.data(); ob.gram = gb.data();
              oa.layer_traces = ta.data(); ob.layer_traces = tb.data();
              oa.layer_sums = sa.data(); ob.layer_sums = sb.data();
              oa.layer_trace_capacity = ob.layer_trace_capacity = 64;
              if (eig) { oa.eigenvalues = ea.data(); ob.eigenvalues = eb.data(); }
              AbProbeResult ra{}, rb{};
              if (old_lib.probe(a, x.data(), y.data(), batch, train, &oa, &ra) || new_lib.probe(b, x.data(), y.data(), batch, train, &ob, &rb)) {
                printf("probe: %s\n", new_lib.err()); return 1;
              }
              ra.gram_seconds = rb.gram_seconds = ra.eigen_seconds = rb.eigen_seconds = ra.rows_seconds = rb.rows_seconds = 0;
              char what[200];
              snprintf(what, sizeof what, "%s B=%d threads %d %s %s %s: result+F~+layers", model ? "resnet" : "mlp", batch, t,
                       kernel ? "blas" : "auto", train ? "train" : "eval", eig ? "eigvalsh" : "extremes");
              bool ok = memcmp(&ra, &rb, sizeof ra) == 0 && ga == gb && ta == tb && sa == sb && ea == eb;
              same(what, &ok, &(const bool&)true, sizeof ok);
              if (!ok) printf("   lambda_max %.17g vs %.17g rank %d vs %d\n", ra.lambda_max, rb.lambda_max, ra.rank, rb.rank);
            }
      }
    }
    for (int bytes : {4, 8})
      for (int kernel = 0; kernel < 3; ++kernel) {
        int64_t n = 37, k = 1500;
        std::vector<double> xd(n * k); std::vector<float> xf(n * k);
        std::mt19937 rng(kernel); std::normal_distribution<double> normal;
        for (int64_t i = 0; i < n * k; ++i) { xd[i] = normal(rng); xf[i] = float(xd[i]); }
        std::vector<double> ga(n * n), gb(n * n);
        const void* rows = bytes == 4 ? (const void*)xf.data() : (const void*)xd.data();
        old_lib.row_gram(rows, bytes, n, k, kernel, ga.data()); new_lib.row_gram(rows, bytes, n, k, kernel, gb.data());
        char what[120]; snprintf(what, sizeof what, "ab_row_gram %d-byte rows kernel %d threads %d", bytes, kernel, t);
        same(what, ga.data(), gb.data(), ga.size() * 8);
        AbProbeOptions o{}; o.memory_cap_bytes = 1 << 20; AbProbeResult ra{}, rb{};
        old_lib.analyse(ga.data(), n, &o, &ra); new_lib.analyse(ga.data(), n, &o, &rb);
        ra.eigen_seconds = rb.eigen_seconds = 0;
        snprintf(what, sizeof what, "ab_analyse_gram of it (threads %d)", t);
        same(what, &ra, &rb, sizeof ra);
      }
  }
  printf("%d mismatches\n", mismatches);
  return mismatches != 0;
}
