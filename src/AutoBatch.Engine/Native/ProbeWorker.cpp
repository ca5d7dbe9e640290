#include "ProbeWorker.h"

#include <algorithm>

#include "Errors.h"
#include "Probe.h"

namespace ab {

ProbeWorker::~ProbeWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool ProbeWorker::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return job_ != nullptr;
}

void ProbeWorker::launch(std::vector<ProbeSite> sites, int64_t batch, const AbProbeOptions& options) {
  auto job = std::make_unique<Job>();
  job->sites = std::move(sites);
  job->batch = batch;
  job->options = options;
  // The job owns its outputs; collect() copies them to the caller's buffers. The eigenvalues only when the launch
  // asked for them: without, the analysis takes the training step's path (extremes, no full spectrum), exactly as a
  // synchronous probe would.
  if (options.eigenvalues != nullptr) job->eigenvalues.assign(size_t(batch), 0.0);
  job->traces.assign(job->sites.size(), 0.0);
  job->sums.assign(job->sites.size(), 0.0);
  job->paths.assign(job->sites.size(), 0);
  job->options.eigenvalues = options.eigenvalues != nullptr ? job->eigenvalues.data() : nullptr;
  job->options.gram = nullptr;
  job->options.layer_traces = job->traces.data();
  job->options.layer_sums = job->sums.data();
  job->options.layer_paths = job->paths.data();
  job->options.layer_trace_capacity = int64_t(job->sites.size());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    require(job_ == nullptr, "probe: the previous background probe has not been collected");
    job_ = std::move(job);
    job_started_ = false;
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
  }
  changed_.notify_all();
}

void ProbeWorker::loop() {
  for (;;) {
    Job* job = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || (job_ && !job_started_); });
      if (stopping_) return;  // a job nobody will collect is dropped with the worker
      job_started_ = true;
      job = job_.get();
    }
    try {
      // One thread: the training step, which goes on meanwhile, keeps libtorch's.
      run_probe(job->sites, job->batch, job->options, &job->result, 1);
    } catch (const c10::Error& e) {
      job->error = std::string("libtorch: ") + e.what_without_backtrace();
    } catch (const std::exception& e) {
      job->error = e.what();
    } catch (...) {
      job->error = "unknown native error in the background probe";
    }
    // The captured activations and gradients are not needed any more; free them now, not at collect().
    job->sites.clear();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job->done = true;
    }
    changed_.notify_all();
  }
}

void ProbeWorker::collect(const AbProbeOptions& outputs, AbProbeResult* result) {
  std::unique_ptr<Job> job;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    require(job_ != nullptr, "probe: no background probe to collect");
    changed_.wait(lock, [this] { return job_->done; });
    job = std::move(job_);
  }
  if (!job->error.empty()) throw std::runtime_error(job->error);
  size_t layers = job->traces.size();
  require((outputs.layer_traces == nullptr && outputs.layer_sums == nullptr && outputs.layer_paths == nullptr) ||
              outputs.layer_trace_capacity >= int64_t(layers),
          "probe collect: layer trace buffer holds " + std::to_string(outputs.layer_trace_capacity) +
              " values, the model has " + std::to_string(layers) + " probed layers");
  require(outputs.eigenvalues == nullptr || !job->eigenvalues.empty(),
          "probe collect: eigenvalues asked for, but the background probe was launched without them");
  *result = job->result;
  if (outputs.eigenvalues) std::copy(job->eigenvalues.begin(), job->eigenvalues.end(), outputs.eigenvalues);
  if (outputs.layer_traces) std::copy(job->traces.begin(), job->traces.begin() + layers, outputs.layer_traces);
  if (outputs.layer_sums) std::copy(job->sums.begin(), job->sums.begin() + layers, outputs.layer_sums);
  if (outputs.layer_paths) std::copy(job->paths.begin(), job->paths.begin() + layers, outputs.layer_paths);
}

}  // namespace ab
