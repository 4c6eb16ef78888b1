#pragma once

// An HTTP/1.1 response as the file server sends it: a head, and a body that is either a part
// of a file's snapshot (sent from the snapshot itself, never copied) or a short text.
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"

namespace opencapf::http {

/// A response, decided but not yet sent.
struct Response {
  int status = 200;
  /// Header fields in the order sent, names as written ("Content-Length"); Connection is added
  /// by FormatHead from `close`.
  std::vector<std::pair<std::string, std::string>> headers;
  /// The snapshot the body is cut from, when the body is (a part of) a file.
  std::shared_ptr<const Bytes> file;
  std::uint64_t offset = 0;  ///< where in `file` the body starts
  std::uint64_t length = 0;  ///< how many bytes of `file` the body holds
  std::string text;          ///< the body when it is a message rather than a file
  /// False for HEAD and 304: the head alone is sent, Content-Length still says what GET gets.
  bool send_body = true;
  bool close = false;  ///< the connection closes after this response
  /// The request was HTTP/1.0, so a connection kept open must say so (Connection: keep-alive).
  bool http10 = false;
  std::string name;  ///< the file asked for, printable, for the access log ("-": none)
  /// For the access log: the range sent, or why the request was refused or a header ignored.
  /// Never a header value.
  std::string note;

  void Add(std::string name, std::string value);
  /// The bytes of body that follow the head when it is sent.
  std::uint64_t body_size() const;
  /// Those bytes: the part of `file`, or `text`; empty when no body is sent.
  ByteView body() const;
};

/// The reason phrase of a status code ("Not Found"); "Unknown" for codes the server never sends.
std::string_view ReasonPhrase(int status);

/// The status line, the header fields and the blank line.
std::string FormatHead(const Response& response);

/// The Content-Type of a file: text/xml for `.xml` (the phones' configuration files),
/// application/octet-stream for everything else (trust lists, signatures, firmware).
std::string_view ContentTypeFor(std::string_view name);

/// A response whose body is `message` as text/plain (refusals and errors), dated `now`. The
/// message is sent to the client: never a server path or a secret.
Response TextResponse(int status, const std::string& message, std::time_t now);

}  // namespace opencapf::http
