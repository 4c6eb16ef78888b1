#include "http/client.h"

#include "net/deadline.h"

#include <algorithm>

namespace opencapf::http {

namespace {

using asio::ip::tcp;

// Percent-encodes what is not unreserved (RFC 3986) or '/': names are the TFTP root's.
std::string EncodePath(std::string_view name) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : name) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

HttpFetch Failed(HttpFailure failure, std::string message, int status = 0) {
  HttpFetch out;
  out.failure = failure;
  out.status = status;
  out.message = std::move(message);
  return out;
}

}  // namespace

asio::awaitable<HttpFetch> Get(asio::any_io_executor executor, std::string host, std::uint16_t port,
                               std::string name, HttpClientOptions options) {
  const std::string where = "http://" + host + ":" + std::to_string(port) + "/" + name;
  tcp::socket socket(executor);
  // One deadline for the whole download: every socket operation is cancelled when it passes.
  // (A host name's resolution is bounded by the system resolver's own timeouts.)
  const auto due = std::chrono::steady_clock::now() + options.timeout;
  net::SocketDeadline<tcp::socket> deadline(socket);
  deadline.Arm(due);
  auto io_failure = [&](const std::string& what, const asio::error_code& ec) {
    if (deadline.timed_out()) {
      return Failed(HttpFailure::kTimeout, where + ": no answer within " +
                                               std::to_string(options.timeout.count()) + " ms");
    }
    return Failed(HttpFailure::kConnect, where + ": " + what + ": " + ec.message());
  };

  tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] =
      co_await resolver.async_resolve(host, std::to_string(port), net::kAwaitTuple);
  if (resolve_ec) {
    co_return Failed(HttpFailure::kResolve,
                     where + ": cannot resolve " + host + ": " + resolve_ec.message());
  }
  auto [connect_ec, endpoint] = co_await asio::async_connect(socket, endpoints, net::kAwaitTuple);
  if (connect_ec) co_return io_failure("cannot connect", connect_ec);
  (void)endpoint;
  const std::string request = "GET /" + EncodePath(name) + " HTTP/1.1\r\nHost: " + host + ":" +
                              std::to_string(port) +
                              "\r\nUser-Agent: opencapf-phone\r\nConnection: close\r\n\r\n";
  auto [write_ec, written] =
      co_await asio::async_write(socket, asio::buffer(request), net::kAwaitTuple);
  (void)written;
  if (write_ec) co_return io_failure("cannot send the request", write_ec);

  std::string buffer;
  auto [head_ec, head_size] = co_await asio::async_read_until(
      socket, asio::dynamic_buffer(buffer, kMaxResponseHead), "\r\n\r\n", net::kAwaitTuple);
  if (head_ec) {
    if (head_ec == asio::error::not_found) {
      co_return Failed(HttpFailure::kMalformed, where + ": the response head is over " +
                                                    std::to_string(kMaxResponseHead) + " bytes");
    }
    co_return io_failure("reading the response", head_ec);
  }
  auto head = ParseResponseHead(std::string_view(buffer).substr(0, head_size));
  if (!head.ok()) co_return Failed(HttpFailure::kMalformed, where + ": " + head.message());
  const std::string status_text = std::to_string(head->status) + " " + head->reason;
  if (head->status != 200) {
    co_return Failed(head->status == 404 ? HttpFailure::kNotFound : HttpFailure::kStatus,
                     where + ": " + status_text, head->status);
  }
  if (head->chunked) {
    co_return Failed(HttpFailure::kMalformed, where +
                                                  ": a chunked body (file servers send "
                                                  "Content-Length)");
  }
  if (head->content_length && *head->content_length > options.max_body) {
    co_return Failed(HttpFailure::kMalformed, where + ": " + std::to_string(*head->content_length) +
                                                  " bytes is over the " +
                                                  std::to_string(options.max_body) + " allowed");
  }
  Bytes body(buffer.begin() + static_cast<std::ptrdiff_t>(head_size), buffer.end());
  const std::size_t want = head->content_length ? *head->content_length : options.max_body;
  while (body.size() < want) {
    std::uint8_t chunk[65536];
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), net::kAwaitTuple);
    if (ec == asio::error::eof && !head->content_length) break;
    if (ec) co_return io_failure("reading the body", ec);
    body.insert(body.end(), chunk, chunk + n);
  }
  if (body.size() > want) {
    co_return Failed(HttpFailure::kMalformed, where + ": more body bytes than Content-Length");
  }
  HttpFetch out;
  out.status = head->status;
  out.data = std::move(body);
  out.message = where + ": " + status_text + ", " + std::to_string(out.data.size()) + " bytes";
  co_return out;
}

HttpFetch GetBlocking(const std::string& host, std::uint16_t port, const std::string& name,
                      const HttpClientOptions& options) {
  asio::io_context io;
  HttpFetch result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        result = co_await Get(io.get_executor(), host, port, name, options);
      },
      asio::detached);
  io.run();
  return result;
}

}  // namespace opencapf::http
