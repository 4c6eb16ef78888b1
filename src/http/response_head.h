#pragma once

// HTTP/1.x response heads as the phone's side reads them: pure code, no sockets.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "http/request.h"

namespace opencapf::http {

/// The largest response head read.
inline constexpr std::size_t kMaxResponseHead = 16384;

/// A parsed response head (status line and headers).
struct ResponseHead {
  int status = 0;
  std::string reason;
  std::vector<Header> headers;
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
};

/// Parses a response head up to and including its blank line; every length and number checked.
Result<ResponseHead> ParseResponseHead(std::string_view head);

}  // namespace opencapf::http
