// The background probe: one worker thread per network that builds and analyses F~ from a step's frozen captures
// while the caller goes on training. With libtorch and OpenBLAS at one thread each (the default), the training step
// runs on one core and the probe on the other, so a probed step costs about what a plain one does.
#pragma once
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "AbApi.h"
#include "Models.h"

namespace ab {

class ProbeWorker {
 public:
  ProbeWorker() = default;
  ProbeWorker(const ProbeWorker&) = delete;
  ProbeWorker& operator=(const ProbeWorker&) = delete;
  // Lets a running probe finish (its result is dropped), drops one not yet started, and stops the thread.
  ~ProbeWorker();

  // Hands over a step's frozen sites. Output pointers in options are ignored: collect() takes its own. Throws if an
  // earlier probe has not been collected: results are collected in order, never overwritten.
  void launch(std::vector<ProbeSite> sites, int64_t batch, const AbProbeOptions& options);

  // Waits for the launched probe and copies its result into result and the outputs options asks for (eigenvalues,
  // layer traces, layer sums; capacities as for a synchronous probe of the same batch). Throws if nothing was
  // launched, or the probe's own error.
  void collect(const AbProbeOptions& outputs, AbProbeResult* result);

  bool pending() const;

 private:
  struct Job {
    std::vector<ProbeSite> sites;
    int64_t batch = 0;
    AbProbeOptions options{};
    std::vector<double> eigenvalues, traces, sums;
    std::vector<int32_t> paths;
    AbProbeResult result{};
    std::string error;
    bool done = false;
  };

  void loop();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::unique_ptr<Job> job_;  // launched and not yet collected
  bool job_started_ = false;  // the thread has taken job_
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ab
