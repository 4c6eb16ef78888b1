#pragma once

// HTTP/1.x request heads (RFC 9112) as phones send them to the provisioning port, and the parts
// of RFC 9110 a file server needs: the file a request target names, byte ranges, HTTP-dates.
// Pure functions over text: no sockets, no files.
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace opencapf::http {

/// What a request head may hold; a head over a limit is refused, never truncated.
struct RequestLimits {
  std::size_t max_head_size = 8192;  ///< request line, header lines and the blank line, in bytes
  std::size_t max_headers = 100;     ///< header lines
};

/// One header field as sent.
struct Header {
  std::string name;   ///< lowercased: field names are case-insensitive (RFC 9110 §5.1)
  std::string value;  ///< without the whitespace around it
  bool operator==(const Header&) const = default;
};

/// A parsed request head.
struct Request {
  std::string method;  ///< case-sensitive (RFC 9110 §9.1): "GET", "HEAD"...
  std::string target;  ///< the request-target as sent, still percent-encoded
  int major = 1;       ///< HTTP version; any single digits parse, the server answers 1.x only
  int minor = 1;
  std::vector<Header> headers;  ///< in the order sent, repeated ones included
  /// Content-Length when one was sent (repeated ones must agree).
  std::optional<std::uint64_t> content_length;
  bool transfer_encoding = false;  ///< a Transfer-Encoding header was sent

  /// How many times header `name` (any case) was sent.
  std::size_t Count(std::string_view name) const;
  /// The value of header `name` (any case) when it was sent exactly once; a repeated header
  /// that may appear only once is as good as none.
  std::optional<std::string_view> Single(std::string_view name) const;
  /// Whether the connection stays open after the response (RFC 9112 §9.3): HTTP/1.1 unless
  /// `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
  bool KeepAlive() const;
  /// Whether a body follows the head. The server never reads one, so it cannot find the next
  /// request after it and closes the connection once it has answered.
  bool HasBody() const;
};

/// How long the request head at the start of `buffer` is: up to and including the blank line
/// that ends it (empty lines before the request line count), or npos while it is incomplete.
/// Lines ending in a bare LF end a head here too, so that such a head is refused at once by
/// ParseRequestHead instead of being waited for until the deadline.
std::size_t FindHeadEnd(std::string_view buffer);

/// Parses one request head as FindHeadEnd delimits it: the request line (`METHOD SP target SP
/// HTTP/d.d`), header lines (`name: value`) and the blank line, every line ending in CRLF.
/// Empty lines before the request line are skipped (RFC 9112 §2.2). Refused, saying which line
/// and what is wrong: bare LF or CR, a missing blank line, bad tokens, control characters,
/// obsolete line folding, whitespace before a colon, a head or header count over `limits`, an
/// HTTP/1.1 request without exactly one Host, and a Content-Length that is not one number or
/// comes with a Transfer-Encoding (the request smuggling shapes of RFC 9112 §6.3).
Result<Request> ParseRequestHead(std::string_view head, const RequestLimits& limits = {});

/// The path a request target asks for, percent-decoded, without its leading '/', `?query` or
/// `#fragment`: origin-form `/NAME` or absolute-form `http://host/NAME`. Fails on the other
/// forms and on a '%' that is not followed by two hex digits.
Result<std::string> DecodeTargetPath(std::string_view target);

/// Refuses a decoded name that must not reach a file source: empty, with a NUL or another
/// control character, with a backslash (a path separator to some servers, never to phones),
/// absolute, or with a `..` component. The file source refuses `..`, absolute names and NUL
/// again, as a second wall.
Status CheckFileName(std::string_view name);

/// DecodeTargetPath, then CheckFileName.
Result<std::string> FileNameFromTarget(std::string_view target);

/// One range of a `Range: bytes=` header, as asked: `first-last`, `first-` (from first to the
/// end) or `-last` (the last `last` bytes: a suffix, `first` unset).
struct RangeSpec {
  std::optional<std::uint64_t> first;
  std::optional<std::uint64_t> last;
  bool operator==(const RangeSpec&) const = default;
};

/// Parses a Range header value (RFC 9110 §14.1.2): `bytes=` and one or more ranges separated
/// by commas. Fails, saying what is wrong, on another unit, a malformed range, a range that
/// ends before it begins, a number too large, and more than 100 ranges; a server ignores a
/// Range it cannot parse and sends the whole file.
Result<std::vector<RangeSpec>> ParseRange(std::string_view value);

/// What to send of a file for the ranges asked.
struct RangeChoice {
  enum class Kind {
    kWhole,          ///< 200 with the whole file: several ranges (RFC 9110 allows that answer)
    kPart,           ///< 206 with bytes first..last
    kUnsatisfiable,  ///< 416: the range starts at or past the end of the file
  };
  Kind kind = Kind::kWhole;
  std::uint64_t first = 0;  ///< kPart: the first byte sent
  std::uint64_t last = 0;   ///< kPart: the last byte sent, inclusive
  bool operator==(const RangeChoice&) const = default;
};

/// Applies parsed ranges to a file of `size` bytes: one range gives kPart (clamped to the file)
/// or kUnsatisfiable; several give kWhole.
RangeChoice ChooseRange(const std::vector<RangeSpec>& ranges, std::uint64_t size);

/// `time` as an IMF-fixdate (RFC 9110 §5.6.7), "Sun, 06 Nov 1994 08:49:37 GMT"; times before
/// 1970 or after 9999 are clamped to those years.
std::string FormatHttpDate(std::time_t time);

/// Parses an HTTP-date: an IMF-fixdate, or one of the obsolete forms recipients must accept,
/// RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year below 70 is 20xx) and asctime
/// ("Sun Nov  6 08:49:37 1994"). Names are case-sensitive, as the RFC has them.
Result<std::time_t> ParseHttpDate(std::string_view text);

}  // namespace opencapf::http
