#pragma once

// Store calls off the I/O threads. A session co_awaits a call; the call runs on one of the
// worker's own threads; the session resumes on its own executor with the result. While a call
// runs, the calls that queue up behind it are taken together as one batch (Store::RunBatch): on
// SQLite one transaction and one fdatasync for all of them — group commit — and none of them is
// answered before that commit is on disk. An fdatasync therefore never stalls another phone's
// TLS, and a thousand phones finishing at once cost a few commits, not a thousand.
#include <asio.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "store/store.h"

namespace opencapf::store {

class StoreWorker {
 public:
  /// Where the calls run.
  enum class Threads {
    /// The worker's own threads: as many as the store gains from (store.parallel_callers()).
    kOwn,
    /// The caller's: each call runs when it is made, as a batch of its own, and its result is
    /// posted to the caller's executor. One thread and one order, run after run: for the session
    /// fuzzers, which must not wait on another thread for every store call.
    kCaller,
  };
  explicit StoreWorker(Store& store, Threads threads = Threads::kOwn);
  /// Runs what is queued, then stops the threads.
  ~StoreWorker();
  StoreWorker(const StoreWorker&) = delete;
  StoreWorker& operator=(const StoreWorker&) = delete;

  Store& store() { return store_; }

  /// Runs `call` on a worker thread, batched with whatever else is queued, and resumes the
  /// caller on its executor with what it returned (T is Status or Result<...>): after the batch
  /// committed, or with the commit's failure.
  template <typename T>
  asio::awaitable<T> Call(std::function<T(Store&)> call);

  /// Batches run and calls made so far, for the benchmarks and tests.
  std::size_t batches() const;
  std::size_t calls() const;

 private:
  class Job : public BatchedCall {
   public:
    /// Hands the result to the waiting coroutine.
    virtual void Deliver() = 0;
  };
  template <typename T, typename Handler>
  class TypedJob;

  void Enqueue(std::unique_ptr<Job> job);
  void Loop();

  Store& store_;
  const std::size_t batch_limit_;
  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stopping_ = false;
  std::size_t batches_ = 0;
  std::size_t calls_ = 0;
  std::vector<std::thread> threads_;
};

template <typename T, typename Handler>
class StoreWorker::TypedJob final : public StoreWorker::Job {
 public:
  TypedJob(std::function<T(Store&)> call, Handler handler)
      : call_(std::move(call)),
        handler_(std::move(handler)),
        work_(asio::prefer(asio::get_associated_executor(handler_),
                           asio::execution::outstanding_work.tracked)) {}

  void Run(Store& store) override { result_.emplace(call_(store)); }
  void Abandon(const Error& why) override { result_.emplace(T(why)); }
  void Deliver() override {
    if (!result_) result_.emplace(T(Fail("the store call was not run")));
    auto executor = work_;
    asio::post(executor,
               [handler = std::move(handler_), result = std::move(*result_),
                work = std::move(work_)]() mutable { std::move(handler)(std::move(result)); });
  }

 private:
  std::function<T(Store&)> call_;
  Handler handler_;
  asio::any_io_executor work_;
  std::optional<T> result_;
};

template <typename T>
asio::awaitable<T> StoreWorker::Call(std::function<T(Store&)> call) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(T)>(
      [this](auto handler, std::function<T(Store&)> fn) {
        using Handler = decltype(handler);
        Enqueue(std::make_unique<TypedJob<T, Handler>>(std::move(fn), std::move(handler)));
      },
      asio::use_awaitable, std::move(call));
}

}  // namespace opencapf::store
