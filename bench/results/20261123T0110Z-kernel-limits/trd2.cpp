#include <chrono>
#include <cstdio>
#include <vector>
#include <random>
#include <algorithm>
#include <cmath>
extern "C" {
void dsytrd_(const char*, const int*, double*, const int*, double*, double*, double*, double*, const int*, int*, size_t);
void dsptrd_(const char*, const int*, double*, double*, double*, double*, int*, size_t);
}
double now(){return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();}
int main(int argc,char**argv){
  int n = atoi(argv[1]);
  std::mt19937 g(1); std::normal_distribution<double> d;
  int K=2000; std::vector<double> J(size_t(n)*K); for(auto&v:J) v=d(g);
  std::vector<double> A(size_t(n)*n);
  for(int i=0;i<n;i++) for(int j=0;j<=i;j++){double s=0; for(int k=0;k<K;k++) s+=J[i*K+k]*J[j*K+k]; A[i*n+j]=A[j*n+i]=s;}
  std::vector<double> D(n),E(n),tau(n),D2(n),E2(n),a,ap(size_t(n)*(n+1)/2);
  double best1=1e9,best2=1e9;
  for(int rep=0;rep<15;rep++){
    a=A; int lwork=-1,info; double q; dsytrd_("L",&n,a.data(),&n,D.data(),E.data(),tau.data(),&q,&lwork,&info,1);
    lwork=int(q); std::vector<double> w(lwork);
    double t=now(); dsytrd_("L",&n,a.data(),&n,D.data(),E.data(),tau.data(),w.data(),&lwork,&info,1); best1=std::min(best1,now()-t);
    // packed lower, column-major: AP(i + (j-1)*(2n-j)/2) = A(i,j) for j<=i
    t=now();
    size_t p=0; for(int j=0;j<n;j++) for(int i=j;i<n;i++) ap[p++]=A[size_t(i)*n+j];
    dsptrd_("L",&n,ap.data(),D2.data(),E2.data(),tau.data(),&info,1); best2=std::min(best2,now()-t);
  }
  double dd=0; for(int i=0;i<n;i++) dd=std::max(dd,std::fabs(D[i]-D2[i])/std::fabs(D[i]));
  printf("n=%d dsytrd %.2f ms  dsptrd(+pack) %.2f ms   maxreldiff d %.1e\n", n, best1*1e3, best2*1e3, dd);
}
