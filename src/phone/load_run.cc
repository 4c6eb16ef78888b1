// The load runner: `concurrency` worker coroutines, each on its own strand, take the next
// session until none are left; latencies and failures are gathered under one mutex.
#include "phone/load_run.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <thread>

namespace opencapf::phone {

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Tally {
  Tally(const LoadPlan& p, const LoadSession& s) : plan(p), session(s) {}
  const LoadPlan& plan;
  const LoadSession& session;
  std::atomic<std::size_t> next{0};
  std::mutex mu;  // guards the results below
  std::vector<double> latencies;
  std::map<std::string, int> errors;
  std::vector<std::string> succeeded;
};

asio::awaitable<void> Worker(Tally& t) {
  while (true) {
    const std::size_t i = t.next++;
    if (i >= t.plan.sessions) co_return;
    const auto start = SteadyClock::now();
    std::string error = co_await t.session(i);
    const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
    std::lock_guard lock(t.mu);
    if (error.empty()) {
      t.latencies.push_back(ms);
      if (t.plan.name) t.succeeded.push_back(t.plan.name(i));
    } else {
      ++t.errors[error];
    }
  }
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * sorted.size()));
  return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

double Round(double v, int digits) {
  const double f = std::pow(10.0, digits);
  return std::round(v * f) / f;
}

}  // namespace

std::string PinnedConnectionFailure(TlsConnection& connection, const pki::Certificate& pinned,
                                    const std::string& flag) {
  if (!connection.ok()) {
    switch (connection.failure) {
      case ConnectFailure::kResolve:
        return "resolve failed";
      case ConnectFailure::kConnect:
        return "connect failed";
      default:
        return "TLS handshake failed";
    }
  }
  if (!connection.server_certificate || !(*connection.server_certificate == pinned)) {
    Close(connection);
    return "server certificate does not match " + flag;
  }
  return "";
}

std::string ExchangeFailure(const std::string& message) {
  if (message.find("timed out") != std::string::npos) return "timeout";
  if (message.find("closed the connection") != std::string::npos) return "connection closed";
  return "protocol error";
}

LoadReport RunLoadSessions(const LoadPlan& plan, const LoadSession& session) {
  Tally tally(plan, session);
  asio::io_context io(std::max(1, plan.threads));
  const auto workers =
      std::min<std::size_t>(static_cast<std::size_t>(std::max(1, plan.concurrency)), plan.sessions);
  const auto start = SteadyClock::now();
  for (std::size_t i = 0; i < workers; ++i) {
    asio::co_spawn(asio::make_strand(io), Worker(tally), asio::detached);
  }
  std::vector<std::thread> runners;
  for (int i = 1; i < plan.threads; ++i) runners.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : runners) t.join();

  LoadReport report;
  report.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  report.sessions = static_cast<int>(plan.sessions);
  report.ok = static_cast<int>(tally.latencies.size());
  report.succeeded = std::move(tally.succeeded);
  std::sort(report.succeeded.begin(), report.succeeded.end());
  for (const auto& [reason, n] : tally.errors) report.errors += n;
  // Sessions a worker never finished (cannot happen unless the io_context stopped early).
  const int missing = report.sessions - report.ok - report.errors;
  if (missing > 0) {
    tally.errors["not run"] += missing;
    report.errors += missing;
  }
  report.errors_by_reason = std::move(tally.errors);
  report.rate_per_s = report.seconds > 0 ? report.sessions / report.seconds : 0;
  std::sort(tally.latencies.begin(), tally.latencies.end());
  report.p50_ms = Percentile(tally.latencies, 50);
  report.p90_ms = Percentile(tally.latencies, 90);
  report.p99_ms = Percentile(tally.latencies, 99);
  return report;
}

std::string LoadReportJson(const LoadReport& r, bool with_names) {
  nlohmann::ordered_json j;
  j["sessions"] = r.sessions;
  j["ok"] = r.ok;
  j["errors"] = r.errors;
  j["rate_per_s"] = Round(r.rate_per_s, 2);
  j["latency_ms"] = {
      {"p50", Round(r.p50_ms, 1)}, {"p90", Round(r.p90_ms, 1)}, {"p99", Round(r.p99_ms, 1)}};
  nlohmann::ordered_json reasons = nlohmann::ordered_json::object();
  for (const auto& [reason, n] : r.errors_by_reason) reasons[reason] = n;
  j["errors_by_reason"] = reasons;
  if (with_names) j["succeeded"] = r.succeeded;
  return j.dump() + "\n";
}

std::string LoadReportText(const LoadReport& r, const std::string& what,
                           const std::string& details) {
  char line[256];
  std::ostringstream out;
  std::snprintf(line, sizeof line, "rate:    %.1f %s/s\n", r.rate_per_s, what.c_str());
  out << line;
  std::snprintf(line, sizeof line,
                "latency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms (%s that succeeded, connect "
                "to the last answer)\n",
                r.p50_ms, r.p90_ms, r.p99_ms, what.c_str());
  out << line << details;
  if (r.errors_by_reason.empty()) {
    out << "errors by reason: none\n";
  } else {
    out << "errors by reason:\n";
    for (const auto& [reason, n] : r.errors_by_reason) out << "  " << n << "  " << reason << "\n";
  }
  return out.str();
}

}  // namespace opencapf::phone
