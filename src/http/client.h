#pragma once

// The phone's side of HTTP provisioning: `GET /NAME` on port 6970, as current phones ask for
// every file before they fall back to TFTP.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "http/request.h"
#include "http/response_head.h"
#include "net/asio.h"

namespace opencapf::http {

/// Why a download failed: a phone falls back to TFTP on any of them.
enum class HttpFailure {
  kNone,
  kResolve,    ///< the name does not resolve
  kConnect,    ///< nothing listens (refused) or unreachable
  kTimeout,    ///< no whole answer within the timeout
  kNotFound,   ///< 404
  kStatus,     ///< another status than 200
  kMalformed,  ///< not an HTTP response we can read, or larger than allowed
};

struct HttpFetch {
  HttpFailure failure = HttpFailure::kNone;
  int status = 0;
  Bytes data;
  std::string message;  ///< for a person: "http://host:6970/NAME: 404 Not Found"
  bool ok() const { return failure == HttpFailure::kNone; }
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{10000};  ///< the whole download
  std::size_t max_body = 64u << 20;
};

/// GET http://host:port/name. Never throws.
asio::awaitable<HttpFetch> Get(asio::any_io_executor executor, std::string host, std::uint16_t port,
                               std::string name, HttpClientOptions options);

/// Get on an io_context of its own, for command lines and checks.
HttpFetch GetBlocking(const std::string& host, std::uint16_t port, const std::string& name,
                      const HttpClientOptions& options);

}  // namespace opencapf::http
