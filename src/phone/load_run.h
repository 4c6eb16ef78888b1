#pragma once

// What every load generator shares (`phone load`, `tvs load`): a number of sessions run
// `concurrency` at a time as coroutines on a few threads, each one timed, and the report made
// from them — rate, latency percentiles, errors by reason — in one JSON shape.
#include <asio.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "phone/connect.h"
#include "pki/certificate.h"

namespace opencapf::phone {

struct LoadReport {
  int sessions = 0;
  int ok = 0;
  int errors = 0;
  double seconds = 0;  ///< wall time of the sessions, key pool excluded
  double rate_per_s = 0;
  /// Latency of the sessions that succeeded, connect to the last answer, nearest-rank
  /// percentiles.
  double p50_ms = 0, p90_ms = 0, p99_ms = 0;
  std::map<std::string, int> errors_by_reason;
  /// The names of the sessions that succeeded, sorted: for `phone load` the devices (CAPF ended
  /// the session OK: an LSC installed, deleted, fetched), what a test holds the server's store to
  /// after a crash.
  std::vector<std::string> succeeded;
  int pool_keys = 0;
  double pool_seconds = 0;        ///< time spent generating the pool, before the clock
  int keys_generated_during = 0;  ///< keys of another kind than the pool's, made on demand
};

/// One session, by its index: "" when it succeeded, else the reason it failed, in a few words
/// that group alike failures ("timeout", "TLS handshake failed").
using LoadSession = std::function<asio::awaitable<std::string>(std::size_t index)>;

struct LoadPlan {
  std::size_t sessions = 0;
  int concurrency = 1;
  int threads = 1;
  /// The name a succeeded session is listed under; null: none are listed.
  std::function<std::string(std::size_t index)> name;
};

/// Runs every session and counts them: sessions, ok, errors (by reason), seconds, rate and
/// latency are filled in; the pool fields are the caller's.
LoadReport RunLoadSessions(const LoadPlan& plan, const LoadSession& session);

/// The words a load report sorts a connection under: "" when `connection` is up and the server
/// presented exactly `pinned`; else "resolve failed", "connect failed", "TLS handshake failed" or
/// "server certificate does not match FLAG" (the connection is then closed).
std::string PinnedConnectionFailure(TlsConnection& connection, const pki::Certificate& pinned,
                                    const std::string& flag);

/// The words a load report sorts a failed exchange under: "timeout", "connection closed" or
/// "protocol error".
std::string ExchangeFailure(const std::string& message);

/// {"sessions": N, "ok": N, "errors": N, "rate_per_s": X, "latency_ms": {"p50": X, "p90": X,
/// "p99": X}, "errors_by_reason": {...}, "succeeded": [names]}; `succeeded` only when
/// `with_names`.
std::string LoadReportJson(const LoadReport& report, bool with_names);

/// "rate: ..." and "latency: ..." lines, then `details` (whole lines), then the errors by
/// reason, for a person; `what` names the sessions ("sessions", "verifications").
std::string LoadReportText(const LoadReport& report, const std::string& what,
                           const std::string& details);

}  // namespace opencapf::phone
