#include "http/response_head.h"

#include <algorithm>
#include <charconv>

namespace opencapf::http {

namespace {

std::string LowerName(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<ResponseHead> ParseResponseHead(std::string_view head) {
  if (head.size() > kMaxResponseHead) {
    return Fail("the response head is over " + std::to_string(kMaxResponseHead) + " bytes");
  }
  ResponseHead out;
  std::size_t line_end = head.find("\r\n");
  if (line_end == std::string_view::npos) return Fail("the status line does not end in CRLF");
  const std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." ||
      (status_line[7] != '0' && status_line[7] != '1') || status_line[8] != ' ') {
    return Fail("'" + std::string(status_line.substr(0, 40)) + "' is not an HTTP/1.x status line");
  }
  const std::string_view code = status_line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Fail("the status code '" + std::string(code) + "' is not three digits");
  }
  out.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (status_line.size() > 12) {
    if (status_line[12] != ' ') return Fail("no space after the status code");
    out.reason = std::string(status_line.substr(13));
  }
  std::size_t at = line_end + 2;
  for (;;) {
    const std::size_t end = head.find("\r\n", at);
    if (end == std::string_view::npos) return Fail("a header line does not end in CRLF");
    const std::string_view line = head.substr(at, end - at);
    at = end + 2;
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Fail("header line '" + std::string(line.substr(0, 40)) + "' has no field name");
    }
    Header h{LowerName(line.substr(0, colon)), std::string(TrimBlanks(line.substr(colon + 1)))};
    if (h.name == "content-length") {
      std::uint64_t length = 0;
      const char* first = h.value.data();
      const char* last = first + h.value.size();
      auto [ptr, ec] = std::from_chars(first, last, length);
      if (ec != std::errc() || ptr != last || h.value.empty()) {
        return Fail("Content-Length '" + h.value.substr(0, 20) + "' is not a number");
      }
      if (out.content_length && *out.content_length != length) {
        return Fail("two Content-Length headers that differ");
      }
      out.content_length = length;
    } else if (h.name == "transfer-encoding") {
      out.chunked = true;
    }
    out.headers.push_back(std::move(h));
  }
  if (at != head.size()) return Fail("bytes after the blank line that ends the head");
  return out;
}

}  // namespace opencapf::http
