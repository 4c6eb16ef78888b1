#include "store/store_worker.h"

#include <algorithm>

namespace opencapf::store {

StoreWorker::StoreWorker(Store& store, Threads where)
    : store_(store), batch_limit_(std::max<std::size_t>(1, store.batch_limit())) {
  if (where == Threads::kCaller) return;
  const int threads = std::max(1, store.parallel_callers());
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Loop(); });
}

StoreWorker::~StoreWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

std::size_t StoreWorker::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

std::size_t StoreWorker::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

void StoreWorker::Enqueue(std::unique_ptr<Job> job) {
  if (threads_.empty()) {  // Threads::kCaller
    {
      std::lock_guard lock(mu_);
      ++batches_;
      ++calls_;
    }
    BatchedCall* call = job.get();
    store_.RunBatch(std::span<BatchedCall* const>(&call, 1));
    job->Deliver();
    return;
  }
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void StoreWorker::Loop() {
  std::vector<std::unique_ptr<Job>> batch;
  std::vector<BatchedCall*> calls;
  for (;;) {
    batch.clear();
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to run
      while (!queue_.empty() && batch.size() < batch_limit_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      ++batches_;
      calls_ += batch.size();
    }
    calls.assign(batch.size(), nullptr);
    std::transform(batch.begin(), batch.end(), calls.begin(), [](auto& j) { return j.get(); });
    store_.RunBatch(calls);
    for (auto& job : batch) job->Deliver();
  }
}

}  // namespace opencapf::store
