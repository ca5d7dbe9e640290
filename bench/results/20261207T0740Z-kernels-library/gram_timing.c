// One process, interleaved rounds: ab_row_gram (libautobatch_native) vs abk_row_gram_f32 (libautobatch_kernels).
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <math.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void* a, const void* b) { double x = *(const double*)a, y = *(const double*)b; return x < y ? -1 : x > y; }
int main(int argc, char** argv) {
  const char* dir = argv[1];
  int threads = atoi(argv[2]);
  char path[4096];
  snprintf(path, sizeof path, "%s/libautobatch_native.so", dir);
  void* native = dlopen(path, RTLD_NOW);
  snprintf(path, sizeof path, "%s/libautobatch_kernels.so", dir);
  void* kernels = dlopen(path, RTLD_NOW);
  if (!native || !kernels) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  int32_t (*set_threads)(int32_t, int32_t) = dlsym(native, "ab_set_threads");
  int32_t (*ab)(const void*, int32_t, int64_t, int64_t, int32_t, double*) = dlsym(native, "ab_row_gram");
  int32_t (*abk)(const float*, int64_t, int64_t, int64_t, double*, int32_t, int32_t, int32_t) = dlsym(kernels, "abk_row_gram_f32");
  set_threads(threads, 1);
  const int64_t n = 512, k = 20000;
  float* x = malloc(sizeof(float) * n * k);
  srand(1);
  for (int64_t i = 0; i < n * k; i++) x[i] = (float)rand() / RAND_MAX - 0.5f;
  double* g1 = malloc(sizeof(double) * n * n);
  double* g2 = malloc(sizeof(double) * n * n);
  enum { R = 7 };
  double t1[R], t2[R];
  for (int r = 0; r < R; r++) {
    double s = now();
    if (ab(x, 4, n, k, 0, g1)) return 2;
    t1[r] = now() - s;
    s = now();
    if (abk(x, n, k, k, g2, 0, threads, 0)) return 3;
    t2[r] = now() - s;
  }
  double diff = 0;
  for (int64_t i = 0; i < n * n; i++) diff = fmax(diff, fabs(g1[i] - g2[i]));
  qsort(t1, R, sizeof(double), cmp);
  qsort(t2, R, sizeof(double), cmp);
  printf("n=512 k=20000 threads=%d  ab_row_gram median %.1f ms (min %.1f)  abk_row_gram_f32 median %.1f ms (min %.1f)  max|diff| %g\n",
         threads, t1[R / 2] * 1e3, t1[0] * 1e3, t2[R / 2] * 1e3, t2[0] * 1e3, diff);
  return 0;
}
