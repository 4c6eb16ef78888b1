#pragma once

// Test helpers: a raw HTTP client over a blocking TCP socket on 127.0.0.1 (for what curl cannot
// do: trickle bytes, pipeline, send malformed heads, and see exactly how the server closes),
// and a way to run curl as a child process.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/child_process.h"

namespace opencapf::http::testing {

/// One response as the raw client read it.
struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  ///< names lowercased
  std::string body;
  /// The value of header `name` (lowercase); "" if it was not sent.
  std::string Header(std::string_view name) const;
  bool Has(std::string_view name) const;
};

/// How a connection ended, as the client saw it.
enum class Ending { kClosed, kReset, kStillOpen };

/// A TCP connection to 127.0.0.1:`port`.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  /// Sends all of `bytes`; false if the connection is gone.
  bool Send(std::string_view bytes);
  /// True if something (data or the end) can be read within `timeout`.
  bool Readable(std::chrono::milliseconds timeout);
  /// Reads one response within `timeout`: its head, then a Content-Length body unless
  /// `head_only` (the answer to HEAD) or the status has none (304). nullopt: timeout, the
  /// connection ended first, or the head does not parse.
  std::optional<RawResponse> ReadResponse(std::chrono::milliseconds timeout,
                                          bool head_only = false);
  /// Reads and discards until the server closes or resets the connection, or `timeout`.
  /// `discarded` gets how many bytes were read on the way.
  Ending WaitForEnd(std::chrono::milliseconds timeout, std::uint64_t* discarded = nullptr);
  /// Closes the client's side now.
  void Close();

 private:
  // Reads what is there into buffered_; false on end, reset or timeout.
  bool Fill(std::chrono::steady_clock::time_point until);

  int fd_ = -1;
  std::string buffered_;
  bool reset_ = false;
  bool ended_ = false;
};

// The child processes a test drives: shared with the other modules' tests.
using opencapf::testing::InPath;
using opencapf::testing::RunProcess;
using opencapf::testing::Spawn;
using opencapf::testing::Wait;
/// The bytes of a file as text; "" if it cannot be read.
std::string FileText(const std::filesystem::path& path);

}  // namespace opencapf::http::testing
