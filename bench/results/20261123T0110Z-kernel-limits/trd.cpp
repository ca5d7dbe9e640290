#include <dlfcn.h>
#include <chrono>
#include <cstdio>
#include <vector>
#include <random>
#include <algorithm>
extern "C" {
void dsytrd_(const char*, const int*, double*, const int*, double*, double*, double*, double*, const int*, int*, size_t);
void dsytrd_2stage_(const char*, const char*, const int*, double*, const int*, double*, double*, double*, double*, const int*, double*, const int*, int*, size_t, size_t);
}
double now(){return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();}
int main(int argc,char**argv){
  int n = atoi(argv[1]);
  std::mt19937 g(1); std::normal_distribution<double> d;
  std::vector<double> J(size_t(n)*2000); for(auto&v:J) v=d(g);
  std::vector<double> A(size_t(n)*n);
  for(int i=0;i<n;i++) for(int j=0;j<=i;j++){double s=0; for(int k=0;k<2000;k++) s+=J[i*2000+k]*J[j*2000+k]; A[i*n+j]=A[j*n+i]=s;}
  std::vector<double> D(n),E(n),tau(n),a;
  double best1=1e9,best2=1e9; std::vector<double> d1,d2;
  for(int rep=0;rep<15;rep++){
    a=A; int lwork=-1,info; double q; dsytrd_("L",&n,a.data(),&n,D.data(),E.data(),tau.data(),&q,&lwork,&info,1);
    lwork=int(q); std::vector<double> w(lwork);
    double t=now(); dsytrd_("L",&n,a.data(),&n,D.data(),E.data(),tau.data(),w.data(),&lwork,&info,1); best1=std::min(best1,now()-t); d1=D;
    a=A; int lh=-1; double qh; lwork=-1; dsytrd_2stage_("N","L",&n,a.data(),&n,D.data(),E.data(),tau.data(),&qh,&lh,&q,&lwork,&info,1,1);
    lh=int(qh); lwork=int(q); std::vector<double> h(lh), w2(lwork);
    t=now(); dsytrd_2stage_("N","L",&n,a.data(),&n,D.data(),E.data(),tau.data(),h.data(),&lh,w2.data(),&lwork,&info,1,1); best2=std::min(best2,now()-t); d2=D;
    if(info) printf("info %d\n",info);
  }
  printf("n=%d dsytrd %.2f ms  2stage %.2f ms\n", n, best1*1e3, best2*1e3);
}
