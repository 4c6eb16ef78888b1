#pragma once

// The OCSP responder on HTTP (RFC 6960 appendix A): POST of a DER OCSPRequest to any path, and
// the GET form, `GET {path}/{url-encoded base64 of the request}`.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "base/metrics.h"
#include "base/result.h"
#include "ocsp/responder.h"

namespace httplib {
class Server;
}

namespace opencapf::ocsp {

struct ServerSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;  ///< 0: any free port (tests); `serve` never starts it on 0 from config
  /// A request body (or a GET's decoded request) larger than this is refused with 413: an
  /// OCSPRequest for one certificate is about 100 bytes.
  std::size_t max_request = 16 * 1024;
  int threads = 4;
  std::chrono::seconds io_timeout{5};  ///< to read a request, and to write its answer
};

/// Serves a Responder. Every request gets one log line: client, method, what was answered (per
/// certificate) or why it was refused, and whether from the cache. Counters:
/// opencapf_ocsp_requests_total{result} and opencapf_ocsp_answers_total{status}.
class Server {
 public:
  /// Binds the listener; fails with the address, port and what to change.
  static Result<std::unique_ptr<Server>> Listen(std::shared_ptr<const Responder> responder,
                                                const ServerSettings& settings,
                                                Metrics* metrics = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Serves on a thread of its own (and its pool) until Stop().
  void Start();
  void Stop();
  std::uint16_t port() const { return port_; }
  bool running() const;

  /// Declares the counters above on `metrics`.
  static void DescribeMetrics(Metrics& metrics);

 private:
  Server() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listening_done_{false};
  std::uint16_t port_ = 0;
};

}  // namespace opencapf::ocsp
