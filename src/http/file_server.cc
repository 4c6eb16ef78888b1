#include "http/file_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>

#include "http/answer.h"
#include "http/request.h"
#include "http/response.h"
#include "net/deadline.h"
#include "tftp/packet.h"

namespace opencapf::http {

using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// How long a connection the server closes keeps reading what the client still sends after the
// server has shut down its side: long enough for a request already in flight to arrive, so
// that the kernel does not answer it with a reset that destroys the response before the client
// has read it.
constexpr std::chrono::seconds kLingerTime{2};
// While max_connections are open, how often the accept loop looks again for a free slot. A
// poll rather than a wake-up from the connection that closes: that connection runs on another
// strand, and may be ending while the io_context is destroyed.
constexpr std::chrono::milliseconds kFullPoll{50};
// How often at most the accept loop says that it is full: at the limit, connections come and go
// many times a second.
constexpr std::chrono::seconds kFullLogInterval{60};
// After an accept that failed (out of file descriptors...), how long before the next try.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
constexpr std::size_t kReadChunk = 4096;
// How long a connection over its address's limit may take to send its request head.
constexpr std::chrono::milliseconds kOverLimitHeadTime{1000};

/// What the listener and every connection share; connections hold it so that they may outlive
/// the FileServer object (their frames are destroyed with the io_context).
struct FileServer::Shared {
  Shared(asio::io_context& io, std::shared_ptr<const tftp::FileSource> f, HttpSettings s)
      : io(io),
        files(std::move(f)),
        settings(std::move(s)),
        acceptor(asio::make_strand(io)),
        pause(acceptor.get_executor()) {}

  asio::io_context& io;
  std::shared_ptr<const tftp::FileSource> files;
  const HttpSettings settings;
  tcp::acceptor acceptor;    // used only on its strand
  asio::steady_timer pause;  // the accept loop's waits; on the acceptor's strand

  std::mutex mutex;  // guards per_address
  std::map<asio::ip::address, int> per_address;
  std::atomic<int> active{0};
  std::atomic<bool> stopped{false};
  std::atomic<bool> listening{false};  // while the accept loop runs

  std::atomic<std::uint64_t> accepted{0}, refused{0}, responses{0}, files_sent{0}, not_modified{0},
      client_errors{0}, server_errors{0}, timeouts{0}, bytes_sent{0};

  /// Counts a connection from `address`; false if that address is over its limit (the
  /// connection is counted all the same until it is released).
  bool Admit(const asio::ip::address& address) {
    std::lock_guard lock(mutex);
    ++active;
    return ++per_address[address] <= settings.max_connections_per_client;
  }

  void Release(const asio::ip::address& address) {
    std::lock_guard lock(mutex);
    --active;
    auto it = per_address.find(address);
    if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
  }
};

namespace {

std::string ShowEndpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

long long MillisOf(SteadyClock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

/// One connection, from accept to close: requests read and answered one after another.
class Connection {
 public:
  Connection(std::shared_ptr<FileServer::Shared> shared, tcp::socket socket, tcp::endpoint peer,
             bool over_limit)
      : shared_(std::move(shared)),
        socket_(std::move(socket)),
        peer_(ShowEndpoint(peer)),
        address_(peer.address().to_string()),
        over_limit_(over_limit) {}

  asio::awaitable<void> Run();

 private:
  enum class HeadRead { kReceived, kClosed, kIdle, kTimedOut, kTooLarge, kBroken };

  asio::awaitable<HeadRead> ReadHead(bool first, std::string* head);
  asio::awaitable<bool> Send(const Response& response);
  asio::awaitable<void> CloseGracefully();
  Response Decide(HeadRead outcome, const std::string& head, std::string* method);
  void Count(const Response& response, bool complete);

  std::shared_ptr<FileServer::Shared> shared_;
  tcp::socket socket_;
  net::SocketDeadline<tcp::socket> deadline_{socket_};
  std::string peer_;
  std::string address_;
  bool over_limit_;
  SteadyClock::time_point accepted_ = SteadyClock::now();
  // When the current request began: its first byte, or the accept for the first request.
  SteadyClock::time_point began_ = accepted_;
  std::string pending_;  // bytes read but not yet part of a request: the next head, pipelined
  std::array<char, kReadChunk> buffer_{};
  std::uint64_t body_sent_ = 0;  // of the current response
  std::string error_;            // why the last read or write failed
};

asio::awaitable<Connection::HeadRead> Connection::ReadHead(bool first, std::string* head) {
  const HttpSettings& s = shared_->settings;
  // Until the head's first byte arrives a kept-alive connection is idle; the first request's
  // head is due from the accept, so that a connection that sends nothing is not kept either.
  std::optional<SteadyClock::time_point> due;
  if (first) {
    // A connection over its address's limit is answered 503 as soon as its request is read;
    // it may hold its place only briefly, or one address could fill every place with idle
    // connections and keep the other phones in the accept queue.
    due = accepted_ + (over_limit_
                           ? std::min<std::chrono::milliseconds>(s.head_timeout, kOverLimitHeadTime)
                           : s.head_timeout);
  } else if (!pending_.empty()) {
    began_ = SteadyClock::now();
    due = began_ + s.head_timeout;
  }
  const auto idle_until = SteadyClock::now() + s.idle_timeout;
  while (true) {
    const std::size_t end = FindHeadEnd(pending_);
    if (end != std::string::npos) {
      head->assign(pending_, 0, end);
      pending_.erase(0, end);
      co_return HeadRead::kReceived;
    }
    if (pending_.size() >= s.max_head_size) co_return HeadRead::kTooLarge;
    // A read can complete at once from what the kernel holds, timer or not.
    if (due && SteadyClock::now() >= *due) co_return HeadRead::kTimedOut;
    deadline_.Arm(due ? *due : idle_until);
    const std::size_t room = std::min(buffer_.size(), s.max_head_size - pending_.size());
    auto buffer = asio::buffer(buffer_.data(), room);
    auto [ec, n] = co_await socket_.async_read_some(buffer, net::kAwaitTuple);
    deadline_.Disarm();
    if (ec) {
      if (deadline_.timed_out()) co_return due ? HeadRead::kTimedOut : HeadRead::kIdle;
      if (ec == asio::error::eof && pending_.empty()) co_return HeadRead::kClosed;
      error_ = ec == asio::error::eof ? "the client closed the connection in the middle of a "
                                        "request head"
                                      : "reading: " + ec.message();
      co_return HeadRead::kBroken;
    }
    pending_.append(buffer_.data(), n);
    if (!due) {
      began_ = SteadyClock::now();
      due = began_ + s.head_timeout;
    }
  }
}

asio::awaitable<bool> Connection::Send(const Response& response) {
  const HttpSettings& s = shared_->settings;
  const std::string head = FormatHead(response);
  const auto due = SteadyClock::now() + s.max_response_time;
  body_sent_ = 0;
  const ByteView body = response.body();
  const std::uint64_t total = body.size();
  std::uint64_t offset = 0;
  bool first = true;
  while (first || offset < total) {
    if (SteadyClock::now() >= due) {
      error_ = "the response took longer than the " +
               std::to_string(MillisOf(s.max_response_time)) + " ms limit";
      ++shared_->timeouts;
      co_return false;
    }
    const std::size_t length =
        static_cast<std::size_t>(std::min<std::uint64_t>(s.write_chunk, total - offset));
    const ByteView chunk = body.subspan(static_cast<std::size_t>(offset), length);
    // The head goes out with the first chunk: one write, and with TCP_NODELAY no small segment
    // on its own.
    std::array<asio::const_buffer, 2> buffers{first ? asio::buffer(head) : asio::const_buffer(),
                                              asio::buffer(chunk.data(), chunk.size())};
    deadline_.Arm(due);
    auto [ec, n] = co_await asio::async_write(socket_, buffers, net::kAwaitTuple);
    deadline_.Disarm();
    const std::size_t head_part = first ? head.size() : 0;
    if (n > head_part) {
      body_sent_ += n - head_part;
      shared_->bytes_sent += n - head_part;
    }
    if (ec) {
      if (deadline_.timed_out()) {
        error_ = "the response took longer than the " +
                 std::to_string(MillisOf(s.max_response_time)) + " ms limit";
        ++shared_->timeouts;
      } else {
        error_ = "writing: " + ec.message();
      }
      co_return false;
    }
    offset += length;
    first = false;
  }
  co_return true;
}

asio::awaitable<void> Connection::CloseGracefully() {
  asio::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  const auto until = SteadyClock::now() + kLingerTime;
  while (SteadyClock::now() < until) {
    deadline_.Arm(until);
    auto buffer = asio::buffer(buffer_);
    auto [ec, n] = co_await socket_.async_read_some(buffer, net::kAwaitTuple);
    (void)n;
    deadline_.Disarm();
    if (ec) break;  // the client closed its side too, or the time is up
  }
  socket_.close(ignored);
}

Response Connection::Decide(HeadRead outcome, const std::string& head, std::string* method) {
  const HttpSettings& s = shared_->settings;
  const std::time_t now = std::time(nullptr);
  auto refuse = [&](int status, const std::string& why) {
    Response r = TextResponse(status, why, now);
    r.name = "-";
    r.note = "reason: " + why;
    r.close = true;
    return r;
  };
  switch (outcome) {
    case HeadRead::kTimedOut:
      ++shared_->timeouts;
      return refuse(408, "the request head did not arrive within " +
                             std::to_string(MillisOf(s.head_timeout)) + " ms");
    case HeadRead::kTooLarge:
      return refuse(
          431, "the request head is larger than " + std::to_string(s.max_head_size) + " bytes");
    default:
      break;
  }
  RequestLimits limits;
  limits.max_head_size = s.max_head_size;
  auto request = ParseRequestHead(head, limits);
  if (!request.ok()) return refuse(400, "bad request: " + request.message());
  *method = tftp::Printable(request->method, 16);
  if (over_limit_) {
    ++shared_->refused;
    Response r =
        refuse(503, "too many connections from " + address_ + " (" +
                        std::to_string(s.max_connections_per_client) + "), try again in a second");
    r.Add("Retry-After", "1");
    r.send_body = request->method != "HEAD";
    if (auto name = DecodeTargetPath(request->target); name.ok()) r.name = tftp::Printable(*name);
    return r;
  }
  Response r = AnswerRequest(*request, *shared_->files, now);
  if (shared_->stopped) r.close = true;
  return r;
}

void Connection::Count(const Response& response, bool complete) {
  ++shared_->responses;
  if (response.status >= 500) {
    ++shared_->server_errors;
  } else if (response.status >= 400) {
    ++shared_->client_errors;
  } else if (response.status == 304) {
    ++shared_->not_modified;
  } else if (complete && response.send_body) {
    ++shared_->files_sent;
  }
}

asio::awaitable<void> Connection::Run() {
  asio::error_code ignored;
  bool first = true;
  while (true) {
    std::string head;
    const HeadRead outcome = co_await ReadHead(first, &head);
    first = false;
    if (outcome == HeadRead::kClosed) break;
    if (outcome == HeadRead::kIdle) {
      spdlog::debug("http: {} closed after {} ms without a request", peer_,
                    MillisOf(shared_->settings.idle_timeout));
      co_await CloseGracefully();
      co_return;
    }
    if (outcome == HeadRead::kBroken) {
      spdlog::info("http: {} connection ended: {}", peer_, error_);
      break;
    }
    std::string method = "-";
    const Response response = Decide(outcome, head, &method);
    const bool sent = co_await Send(response);
    Count(response, sent);
    spdlog::info("http: {} {} {} status={} bytes={} duration={}ms{}{}{}", peer_, method,
                 response.name, response.status, body_sent_, MillisOf(SteadyClock::now() - began_),
                 response.note.empty() ? "" : " ", response.note,
                 sent ? "" : " incomplete: " + error_);
    if (!sent) break;
    if (response.close) {
      co_await CloseGracefully();
      co_return;
    }
  }
  socket_.close(ignored);
}

// A connection's place in the counts. A parameter of Serve, so that it is given back when the
// coroutine's frame is destroyed, even one the io_context destroys before it ever ran.
class Slot {
 public:
  Slot(std::shared_ptr<FileServer::Shared> shared, asio::ip::address address)
      : shared_(std::move(shared)), address_(std::move(address)) {}
  Slot(Slot&& other) noexcept = default;
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  Slot& operator=(Slot&&) = delete;
  ~Slot() {
    if (shared_) shared_->Release(address_);
  }

 private:
  std::shared_ptr<FileServer::Shared> shared_;
  asio::ip::address address_;
};

asio::awaitable<void> Serve(std::shared_ptr<FileServer::Shared> shared, [[maybe_unused]] Slot slot,
                            tcp::socket socket, tcp::endpoint peer, bool admitted) {
  try {
    Connection connection(shared, std::move(socket), peer, !admitted);
    co_await connection.Run();
  } catch (const std::exception& e) {
    spdlog::error("http: connection {} ended by an internal error: {}", ShowEndpoint(peer),
                  e.what());
  }
}

asio::awaitable<void> AcceptLoop(std::shared_ptr<FileServer::Shared> shared) {
  struct Listening {
    FileServer::Shared& shared;
    ~Listening() { shared.listening = false; }
  } listening{*shared};
  shared->listening = shared->acceptor.is_open();
  std::optional<SteadyClock::time_point> full_logged;
  while (shared->acceptor.is_open()) {
    if (shared->active.load() >= shared->settings.max_connections) {
      // Not accepting is what keeps the next connections waiting, unharmed, in the kernel's
      // listen queue until one of these closes.
      const auto now = SteadyClock::now();
      if (!full_logged || now - *full_logged >= kFullLogInterval) {
        spdlog::warn(
            "http: {} connections open, the limit: new ones wait in the listen queue until "
            "one closes",
            shared->settings.max_connections);
        full_logged = now;
      }
      shared->pause.expires_after(kFullPoll);
      (void)co_await shared->pause.async_wait(net::kAwaitTuple);
      continue;
    }
    auto strand = asio::make_strand(shared->io);  // named: GCC 12 and co_await temporaries
    auto [ec, socket] = co_await shared->acceptor.async_accept(strand, net::kAwaitTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !shared->acceptor.is_open()) break;
      spdlog::warn("http: accept failed: {}", ec.message());
      shared->pause.expires_after(kAcceptBackoff);
      (void)co_await shared->pause.async_wait(net::kAwaitTuple);
      continue;
    }
    asio::error_code peer_ec;
    const tcp::endpoint peer = socket.remote_endpoint(peer_ec);
    if (peer_ec) continue;  // gone already; the socket closes with it
    ++shared->accepted;
    // A response's head and its last short segment must not wait for the client's delayed
    // ACK (Nagle's algorithm): 40 ms per file, for nothing.
    asio::error_code nodelay;
    socket.set_option(tcp::no_delay(true), nodelay);
    // Counted here, on the accept loop's strand, so that its next pass sees it.
    const bool admitted = shared->Admit(peer.address());
    Slot slot(shared, peer.address());
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Serve(shared, std::move(slot), std::move(socket), peer, admitted),
                   asio::detached);
  }
}

}  // namespace

FileServer::FileServer(asio::io_context& io, std::shared_ptr<const tftp::FileSource> files,
                       HttpSettings settings)
    : shared_(std::make_shared<Shared>(io, std::move(files), std::move(settings))) {}

FileServer::~FileServer() { Stop(); }

Status FileServer::Listen() {
  const HttpSettings& s = shared_->settings;
  if (s.max_connections < 1 || s.max_connections_per_client < 1) {
    return Fail("http settings: the connection limits must be at least 1");
  }
  if (s.max_head_size < 64 || s.write_chunk < 1) {
    return Fail(
        "http settings: the head size limit must be at least 64 bytes and the write "
        "chunk at least 1 byte");
  }
  if (s.head_timeout.count() <= 0 || s.idle_timeout.count() <= 0 ||
      s.max_response_time.count() <= 0) {
    return Fail("http settings: the head, idle and response time limits must be positive");
  }
  asio::error_code ec;
  auto address = asio::ip::make_address(s.address, ec);
  if (ec) return Fail("HTTP listen address '" + s.address + "' is not an IP address");
  tcp::endpoint endpoint(address, s.port);
  const std::string where = ShowEndpoint(endpoint);
  tcp::acceptor& acceptor = shared_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string hint;
    if (ec == asio::error::access_denied) {
      hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
    } else if (ec == asio::error::address_in_use) {
      hint = " (is another server using it? choose another port with --http-port)";
    }
    asio::error_code ignored;
    acceptor.close(ignored);
    return Fail("HTTP cannot listen on " + where + ": " + ec.message() + hint);
  }
  port_ = acceptor.local_endpoint(ec).port();
  return Status::Ok();
}

void FileServer::Start() {
  asio::co_spawn(shared_->acceptor.get_executor(), AcceptLoop(shared_), asio::detached);
}

void FileServer::Stop() {
  shared_->stopped = true;
  asio::post(shared_->acceptor.get_executor(), [shared = shared_] {
    asio::error_code ignored;
    shared->acceptor.close(ignored);
    shared->pause.cancel();
  });
}

bool FileServer::listening() const { return shared_->listening.load(); }

HttpStats FileServer::stats() const {
  HttpStats s;
  s.connections_accepted = shared_->accepted.load();
  s.connections_refused = shared_->refused.load();
  s.responses = shared_->responses.load();
  s.files_sent = shared_->files_sent.load();
  s.not_modified = shared_->not_modified.load();
  s.client_errors = shared_->client_errors.load();
  s.server_errors = shared_->server_errors.load();
  s.timeouts = shared_->timeouts.load();
  s.bytes_sent = shared_->bytes_sent.load();
  s.active_connections = shared_->active.load();
  return s;
}

}  // namespace opencapf::http
