// The committed micro-kernel tile<3, false> of GramKernel.cpp alone (included whole, so that its anonymous-namespace
// functions are visible here), on panels that stay in L1 (3 groups) or stream from L2 (64 groups), best of 200
// interleaved bursts of ~4 M multiply-adds per shape. Build: g++ -O2 -fopenmp -std=c++17 -I<Native> tilebench2.cpp
// <Native>/Parallel.cpp -o tilebench2 (measure.sh).
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include "GramKernel.cpp"
using ab::tile;
double run(double* a,double* b,double* c,int64_t kc,int64_t groups){
  long reps=4000000/(kc*24);
  auto t0=std::chrono::steady_clock::now();
  for(long rep=0;rep<reps;rep++){ int64_t g=(rep*3)%(groups-2); double* cc=c+(rep%8)*24;
    tile<3,false>(a+g*kc*8,b,kc,kc,cc,512); }
  double t=std::chrono::duration<double>(std::chrono::steady_clock::now()-t0).count();
  return reps*kc*24.0*8/t/1e9;  // float64 multiply-adds (8 lanes per FMA)
}
int main(int argc,char**argv){
  double* a=(double*)aligned_alloc(64,64*256*8*8); double* b=(double*)aligned_alloc(64,256*8*8); double* c=(double*)aligned_alloc(64,8*512*8);
  for(int64_t i=0;i<64*256*8;i++) a[i]=1e-3*(i%17); for(int64_t i=0;i<256*8;i++) b[i]=1e-3*(i%13);
  for(int i=0;i<8*512;i++) c[i]=0;
  struct V{int64_t kc,groups;} vs[]={{128,3},{64,3},{32,3},{128,64},{256,3},{256,64}};
  double best[6]={0};
  for(int r=0;r<200;r++) for(int v=0;v<6;v++){ double g=run(a,b,c,vs[v].kc,vs[v].groups); if(g>best[v])best[v]=g; }
  for(int v=0;v<6;v++) printf("kc=%ld groups=%ld best %.1f G multiply-adds/s\n",vs[v].kc,vs[v].groups,best[v]);
  printf("%g\n",c[0]);
}
