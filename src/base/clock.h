#pragma once

#include <atomic>
#include <chrono>
#include <ctime>

namespace opencapf {

/// The wall clock, behind an interface so deadlines (Operation Completes By) and certificate
/// expiry can be tested without waiting.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Seconds since the Unix epoch.
  virtual std::time_t Now() const = 0;
};

/// The real clock.
class SystemClock : public Clock {
 public:
  std::time_t Now() const override { return std::time(nullptr); }
  /// One shared instance; it holds no state.
  static const SystemClock& Instance() {
    static const SystemClock clock;
    return clock;
  }
};

/// A clock tests set and move by hand; safe to read from server threads while a test moves it.
class FakeClock : public Clock {
 public:
  explicit FakeClock(std::time_t now) : now_(now) {}
  std::time_t Now() const override { return now_.load(); }
  void Set(std::time_t now) { now_.store(now); }
  void Advance(std::time_t seconds) { now_.fetch_add(seconds); }

 private:
  std::atomic<std::time_t> now_;
};

}  // namespace opencapf
