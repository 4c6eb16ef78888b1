#include "tftp/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "net/deadline.h"
#include "tftp/packet.h"
#include "tftp/read_request.h"

namespace opencapf::tftp {

using asio::ip::udp;
using Clock = std::chrono::steady_clock;

// RFC 2347 limits a request to 512 bytes; accept more from clients that send many options.
constexpr std::size_t kMaxRequest = 4096;
// Anything a client sends during a transfer (ACK, ERROR) is small; a larger datagram is
// truncated, which decodes as whatever it is cut to.
constexpr std::size_t kMaxReply = 1024;

/// What the listener and every transfer share; transfers hold it so that they may outlive the
/// TftpServer object (their frames are destroyed with the io_context).
struct TftpServer::Shared {
  Shared(asio::io_context& io, std::shared_ptr<const FileSource> f, TftpSettings s)
      : io(io), files(std::move(f)), settings(std::move(s)), socket(asio::make_strand(io)) {}

  asio::io_context& io;
  std::shared_ptr<const FileSource> files;
  const TftpSettings settings;
  udp::socket socket;  // the listening socket; used only on its strand

  std::mutex mutex;  // guards the admission state below
  std::map<asio::ip::address, int> per_address;
  std::set<udp::endpoint> clients;
  int active = 0;

  std::atomic<std::uint64_t> started{0}, completed{0}, failed{0}, refused{0}, deferred{0},
      bytes_sent{0}, retransmissions{0};
  std::atomic<Clock::rep> last_deferred_log{0};  // the warning about deferrals, once a second
  std::atomic<bool> listening{false};            // while the request loop runs

  /// Admits a transfer for `client`, or says which cap it is over. nullopt with `*duplicate` set:
  /// this client port already has a transfer (its RRQ was retransmitted); the request is dropped.
  std::optional<std::string> Admit(const udp::endpoint& client, bool* duplicate) {
    std::lock_guard lock(mutex);
    *duplicate = false;
    if (clients.count(client)) {
      *duplicate = true;
      return std::nullopt;
    }
    if (active >= settings.max_transfers) {
      return "the server is busy with " + std::to_string(active) + " transfers (max_transfers)";
    }
    int& from_address = per_address[client.address()];
    if (from_address >= settings.max_transfers_per_client) {
      return std::to_string(from_address) +
             " transfers from this address already (max_transfers_per_client)";
    }
    ++from_address;
    ++active;
    clients.insert(client);
    return std::nullopt;
  }

  void Release(const udp::endpoint& client) {
    std::lock_guard lock(mutex);
    --active;
    clients.erase(client);
    auto it = per_address.find(client.address());
    if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
  }
};

namespace {

std::string Show(const udp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

long long Millis(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

/// One read transfer, from lookup to the last ACK, on its own socket and strand.
class Transfer {
 public:
  Transfer(std::shared_ptr<TftpServer::Shared> shared, udp::socket socket, udp::endpoint client,
           Request request)
      : shared_(std::move(shared)),
        socket_(std::move(socket)),
        client_(std::move(client)),
        request_(std::move(request)),
        buffer_(kMaxReply) {}

  asio::awaitable<void> Run();

 private:
  // What the client did while we waited.
  struct Event {
    enum Kind { kAck, kClientError, kTimeout, kIllegal, kIo } kind = kTimeout;
    std::uint16_t block = 0;
    std::string text;
  };

  asio::awaitable<Event> Await(Clock::time_point deadline);
  asio::awaitable<void> SendTo(const Bytes& packet, const udp::endpoint& to);
  asio::awaitable<void> SendBlock(std::uint64_t index);
  asio::awaitable<bool> NegotiateOack(const std::vector<Option>& accepted);
  asio::awaitable<bool> SendFile();
  asio::awaitable<void> Abort(ErrorCode code, const std::string& message);
  asio::awaitable<bool> TooLong();
  bool Failed(std::string reason) {
    reason_ = std::move(reason);
    return false;
  }

  std::shared_ptr<TftpServer::Shared> shared_;
  udp::socket socket_;
  net::SocketDeadline<udp::socket> deadline_{socket_};
  udp::endpoint client_;
  Request request_;
  Bytes buffer_;
  udp::endpoint from_;
  std::array<std::uint8_t, 4> header_{};
  Clock::time_point begin_ = Clock::now();
  Clock::time_point end_by_ = begin_ + shared_->settings.max_transfer_time;

  std::shared_ptr<const Bytes> payload_;
  std::uint16_t blksize_ = kDefaultBlockSize;
  std::uint16_t windowsize_ = 1;
  Clock::duration timeout_ = shared_->settings.retransmit_timeout;
  std::uint64_t last_block_ = 0;  // index of the final (short) block
  std::uint64_t retransmitted_ = 0;
  std::string send_error_;
  std::string reason_;
};

asio::awaitable<void> Transfer::SendTo(const Bytes& packet, const udp::endpoint& to) {
  auto buffer = asio::buffer(packet);
  auto [ec, n] = co_await socket_.async_send_to(buffer, to, net::kAwaitTuple);
  (void)n;
  // A failed send is a lost packet: the retransmission timeout deals with it; the error is
  // kept for the reason if the transfer gives up.
  if (ec) send_error_ = ec.message();
}

asio::awaitable<void> Transfer::SendBlock(std::uint64_t index) {
  const ByteView payload = BlockOf(*payload_, blksize_, index);
  const std::size_t length = payload.size();
  const auto block = static_cast<std::uint16_t>(index & 0xffff);  // rolls over to 0
  header_ = {0, static_cast<std::uint8_t>(Opcode::kData), static_cast<std::uint8_t>(block >> 8),
             static_cast<std::uint8_t>(block & 0xff)};
  std::array<asio::const_buffer, 2> buffers{asio::buffer(header_),
                                            asio::buffer(payload.data(), length)};
  auto [ec, n] = co_await socket_.async_send_to(buffers, client_, net::kAwaitTuple);
  (void)n;
  if (ec) {
    send_error_ = ec.message();
  } else {
    shared_->bytes_sent += length;
  }
}

asio::awaitable<void> Transfer::Abort(ErrorCode code, const std::string& message) {
  Bytes packet = EncodeError(code, message);
  co_await SendTo(packet, client_);
}

asio::awaitable<bool> Transfer::TooLong() {
  const std::string why = "transfer took too long";
  co_await Abort(ErrorCode::kNotDefined, why);
  co_return Failed("the transfer took longer than the " +
                   std::to_string(shared_->settings.max_transfer_time.count()) + " s limit");
}

asio::awaitable<Transfer::Event> Transfer::Await(Clock::time_point deadline) {
  deadline = std::min(deadline, end_by_);
  while (true) {
    deadline_.Arm(deadline);
    auto buffer = asio::buffer(buffer_);
    auto [ec, n] = co_await socket_.async_receive_from(buffer, from_, net::kAwaitTuple);
    deadline_.Disarm();
    if (ec) {
      if (deadline_.timed_out()) co_return Event{Event::kTimeout, 0, {}};
      co_return Event{Event::kIo, 0, "receiving: " + ec.message()};
    }
    if (from_ != client_) {
      // RFC 1350: a packet from another transfer ID gets ERROR 5 and does not disturb this
      // transfer (nor its timer). Never answer an ERROR with an ERROR.
      if (n >= 2 && !(buffer_[0] == 0 && buffer_[1] == static_cast<int>(Opcode::kError))) {
        Bytes error = EncodeError(ErrorCode::kUnknownTransferId, "unknown transfer ID");
        udp::endpoint stray = from_;
        co_await SendTo(error, stray);
      }
      continue;
    }
    auto packet = DecodePacket(ByteView(buffer_.data(), n));
    if (!packet.ok()) co_return Event{Event::kIllegal, 0, "malformed packet: " + packet.message()};
    if (auto* ack = std::get_if<AckPacket>(&*packet)) co_return Event{Event::kAck, ack->block, {}};
    if (auto* error = std::get_if<ErrorPacket>(&*packet)) {
      co_return Event{Event::kClientError, 0,
                      "the client sent ERROR " + std::to_string(static_cast<int>(error->code)) +
                          " '" + Printable(error->message) + "'"};
    }
    const std::uint16_t opcode = static_cast<std::uint16_t>((buffer_[0] << 8) | buffer_[1]);
    co_return Event{Event::kIllegal, 0,
                    "the client sent " + OpcodeName(opcode) + " where an ACK was expected"};
  }
}

asio::awaitable<bool> Transfer::NegotiateOack(const std::vector<Option>& accepted) {
  const Bytes oack = EncodeOptionAck(accepted);
  for (int attempt = 0; attempt <= shared_->settings.max_retries; ++attempt) {
    if (attempt > 0) {
      ++retransmitted_;
      ++shared_->retransmissions;
    }
    co_await SendTo(oack, client_);
    const auto deadline = Clock::now() + timeout_;
    while (true) {
      Event event = co_await Await(deadline);
      if (event.kind == Event::kAck) {
        if (event.block == 0) co_return true;
        continue;  // not an answer to the OACK; keep waiting
      }
      if (event.kind == Event::kTimeout) break;
      if (event.kind == Event::kIllegal) {
        const std::string why = "expected ACK 0 for the OACK";
        co_await Abort(ErrorCode::kIllegalOperation, why);
      }
      co_return Failed(event.text + " (in answer to the OACK)");
    }
    if (Clock::now() >= end_by_) break;
  }
  if (Clock::now() >= end_by_) co_return co_await TooLong();
  const std::string why = "no ACK for the OACK, giving up";
  co_await Abort(ErrorCode::kNotDefined, why);
  co_return Failed("no ACK 0 for the OACK after " + std::to_string(shared_->settings.max_retries) +
                   " retransmissions" +
                   (send_error_.empty() ? "" : " (last send error: " + send_error_ + ")"));
}

// Sends blocks [base, base + windowsize) and waits for the ACK of the last of them; an ACK for
// a block inside the window rewinds to the block after it (RFC 7440). A duplicate ACK of the
// block before the window is ignored rather than answered, which is what keeps a delayed ACK
// from doubling every later packet (the sorcerer's apprentice bug); only the timer resends.
asio::awaitable<bool> Transfer::SendFile() {
  std::uint64_t base = 1;
  int retries = 0;
  bool resend = false;
  while (true) {
    const std::uint64_t end = std::min<std::uint64_t>(base + windowsize_ - 1, last_block_);
    for (std::uint64_t i = base; i <= end; ++i) {
      if (resend) {
        ++retransmitted_;
        ++shared_->retransmissions;
      }
      co_await SendBlock(i);
    }
    const auto deadline = Clock::now() + timeout_;
    const std::uint64_t in_flight = end - base + 1;
    std::optional<std::uint64_t> acked;
    while (!acked) {
      Event event = co_await Await(deadline);
      if (event.kind == Event::kTimeout) break;
      if (event.kind == Event::kAck) {
        acked = AckedBlock(base, in_flight, event.block);  // nullopt: duplicate or stale
        continue;
      }
      if (event.kind == Event::kIllegal) {
        const std::string why = "expected an ACK";
        co_await Abort(ErrorCode::kIllegalOperation, why);
      }
      co_return Failed(event.text + " (at block " + std::to_string(base) + ")");
    }
    if (acked) {
      if (*acked == last_block_) co_return true;
      base = *acked + 1;
      retries = 0;
      resend = false;
      continue;
    }
    // No ACK in time: send the window again, or give up.
    if (Clock::now() >= end_by_) co_return co_await TooLong();
    if (++retries > shared_->settings.max_retries) {
      const std::string why = "no ACK, giving up";
      co_await Abort(ErrorCode::kNotDefined, why);
      co_return Failed("no ACK for block " + std::to_string(base) + " after " +
                       std::to_string(shared_->settings.max_retries) + " retransmissions of " +
                       std::to_string(Millis(timeout_)) + " ms each" +
                       (send_error_.empty() ? "" : " (last send error: " + send_error_ + ")"));
    }
    resend = true;
  }
}

asio::awaitable<void> Transfer::Run() {
  const std::string file = Printable(request_.filename);
  const std::string mode(ModeName(request_.mode));
  bool ok = false;
  std::string notes;

  const OptionLimits limits{shared_->settings.max_blksize, shared_->settings.max_windowsize};
  ReadPlan plan = PlanRead(request_, *shared_->files, limits);
  if (!plan.ok()) {
    co_await Abort(plan.code, plan.message);
    reason_ = plan.message;
  } else {
    payload_ = std::move(plan.payload);
    const Negotiation& negotiation = plan.negotiation;
    blksize_ = negotiation.blksize;
    windowsize_ = negotiation.windowsize;
    if (negotiation.timeout) timeout_ = *negotiation.timeout;
    last_block_ = plan.last_block;
    for (const std::string& why : negotiation.ignored) notes += "; ignored option " + why;
    ok = true;
    if (!negotiation.accepted.empty()) ok = co_await NegotiateOack(negotiation.accepted);
    if (ok) ok = co_await SendFile();
  }

  if (ok) {
    ++shared_->completed;
  } else {
    ++shared_->failed;
  }
  spdlog::info(
      "tftp: {} RRQ {} mode={} bytes={} blocks={} blksize={} windowsize={} retransmits={} "
      "duration={}ms result={}{}{}",
      Show(client_), file, mode, payload_ ? payload_->size() : 0, last_block_, blksize_,
      windowsize_, retransmitted_, Millis(Clock::now() - begin_), ok ? "complete" : "failed",
      ok ? "" : " reason: " + reason_, notes);
  asio::error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<void> Serve(std::shared_ptr<TftpServer::Shared> shared, udp::socket socket,
                            udp::endpoint client, Request request) {
  struct Done {
    std::shared_ptr<TftpServer::Shared> shared;
    udp::endpoint client;
    ~Done() { shared->Release(client); }
  } done{shared, client};
  try {
    Transfer transfer(shared, std::move(socket), client, std::move(request));
    co_await transfer.Run();
  } catch (const std::exception& e) {
    ++shared->failed;
    spdlog::error("tftp: transfer to {} ended by an internal error: {}", Show(client), e.what());
  }
}

// Sends `code`/`message` from the listening port for a request that gets no transfer, and logs
// why.
// Arguments are references to the caller's named objects: GCC 12 mishandles temporaries inside
// a co_await expression.
asio::awaitable<void> Refuse(const std::shared_ptr<TftpServer::Shared>& shared,
                             const udp::endpoint& client, const std::string& what, ErrorCode code,
                             const std::string& message) {
  ++shared->refused;
  spdlog::info("tftp: {} {} refused with ERROR {}: {}", Show(client), what, static_cast<int>(code),
               message);
  Bytes packet = EncodeError(code, message);
  auto buffer = asio::buffer(packet);
  auto [ec, n] = co_await shared->socket.async_send_to(buffer, client, net::kAwaitTuple);
  (void)n;
  if (ec) spdlog::warn("tftp: cannot send an error to {}: {}", Show(client), ec.message());
}

asio::awaitable<void> HandleRequest(const std::shared_ptr<TftpServer::Shared>& shared,
                                    ByteView datagram, const udp::endpoint& client) {
  if (client.port() == 0) co_return;  // nowhere to answer
  RequestVerdict verdict = JudgeRequest(datagram);
  if (verdict.kind == RequestVerdict::Kind::kIgnore) co_return;
  if (verdict.kind == RequestVerdict::Kind::kRefuse) {
    co_await Refuse(shared, client, verdict.what, verdict.code, verdict.message);
    co_return;
  }
  const std::string& what = verdict.what;
  bool duplicate = false;
  const std::optional<std::string> over_cap = shared->Admit(client, &duplicate);
  if (over_cap) {
    // A phone takes an ERROR as final for that file, so a branch of phones behind one NAT
    // address that boots together would lose files to it. Unanswered, the RRQ is sent again by
    // the client's own retransmission timer, and is admitted once a transfer has finished.
    const std::uint64_t deferred = ++shared->deferred;
    const auto now = Clock::now().time_since_epoch().count();
    auto last = shared->last_deferred_log.load();
    const auto one_second =
        std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)).count();
    if (now - last >= one_second && shared->last_deferred_log.compare_exchange_strong(last, now)) {
      spdlog::warn(
          "tftp: {} {}: {}; left unanswered, the client will ask again ({} request(s) deferred "
          "so far)",
          Show(client), what, *over_cap, deferred);
    }
    co_return;
  }
  if (duplicate) {
    spdlog::debug(
        "tftp: {} {}: a transfer to this port is already running; retransmitted RRQ "
        "dropped",
        Show(client), what);
    co_return;
  }
  // The transfer's own socket: a new port is the server's transfer ID (RFC 1350).
  udp::socket socket(asio::make_strand(shared->io));
  asio::error_code ec;
  asio::error_code local_ec;
  const auto local = shared->socket.local_endpoint(local_ec);
  udp::endpoint bind_to(local.address(), 0);
  socket.open(bind_to.protocol(), ec);
  if (!ec) socket.bind(bind_to, ec);
  if (ec || local_ec) {
    shared->Release(client);
    const std::string why = "the server cannot open a transfer socket, try later";
    co_await Refuse(shared, client, what, ErrorCode::kNotDefined, why);
    spdlog::warn("tftp: cannot open a transfer socket: {}", (ec ? ec : local_ec).message());
    co_return;
  }
  ++shared->started;
  auto executor = socket.get_executor();
  asio::co_spawn(executor, Serve(shared, std::move(socket), client, std::move(verdict.request)),
                 asio::detached);
}

asio::awaitable<void> Listener(std::shared_ptr<TftpServer::Shared> shared) {
  struct Listening {
    TftpServer::Shared& shared;
    ~Listening() { shared.listening = false; }
  } listening{*shared};
  shared->listening = shared->socket.is_open();
  Bytes buffer(kMaxRequest);
  while (shared->socket.is_open()) {
    udp::endpoint client;
    auto receive = asio::buffer(buffer);
    auto [ec, n] = co_await shared->socket.async_receive_from(receive, client, net::kAwaitTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !shared->socket.is_open()) break;
      spdlog::warn("tftp: receiving a request failed: {}", ec.message());
      continue;
    }
    try {
      ByteView datagram(buffer.data(), n);
      co_await HandleRequest(shared, datagram, client);
    } catch (const std::exception& e) {
      spdlog::error("tftp: request from {} ended by an internal error: {}", Show(client), e.what());
    }
  }
}

}  // namespace

TftpServer::TftpServer(asio::io_context& io, std::shared_ptr<const FileSource> files,
                       TftpSettings settings)
    : shared_(std::make_shared<Shared>(io, std::move(files), std::move(settings))) {}

TftpServer::~TftpServer() { Stop(); }

Status TftpServer::Listen() {
  const TftpSettings& s = shared_->settings;
  if (s.max_blksize < kMinBlockSize || s.max_blksize > kMaxBlockSize) {
    return Fail("tftp max blksize " + std::to_string(s.max_blksize) +
                " is outside 8..65464 (RFC 2348)");
  }
  if (s.max_windowsize < 1 || s.max_windowsize > 32768) {
    return Fail("tftp max windowsize " + std::to_string(s.max_windowsize) + " is outside 1..32768");
  }
  if (s.retransmit_timeout.count() <= 0 || s.max_retries < 0 || s.max_transfers < 1 ||
      s.max_transfers_per_client < 1 || s.max_transfer_time.count() <= 0) {
    return Fail(
        "tftp settings: the retransmit timeout, transfer caps and transfer time limit must be "
        "positive and the retry count not negative");
  }
  asio::error_code ec;
  auto address = asio::ip::make_address(s.address, ec);
  if (ec) return Fail("TFTP listen address '" + s.address + "' is not an IP address");
  udp::endpoint endpoint(address, s.port);
  const std::string where = Show(endpoint);
  shared_->socket.open(endpoint.protocol(), ec);
  if (!ec) shared_->socket.bind(endpoint, ec);
  if (ec) {
    std::string hint;
    if (ec == asio::error::access_denied) {
      hint =
          " (ports below 1024 need root or CAP_NET_BIND_SERVICE: run as root, grant it with "
          "`setcap cap_net_bind_service=+ep` on the binary, or use --tftp-port 6969)";
    } else if (ec == asio::error::address_in_use) {
      hint = " (another TFTP server, such as tftpd-hpa, atftpd or dnsmasq, may hold the port)";
    }
    asio::error_code ignored;
    shared_->socket.close(ignored);
    return Fail("TFTP cannot listen on " + where + ": " + ec.message() + hint);
  }
  port_ = shared_->socket.local_endpoint(ec).port();
  return Status::Ok();
}

void TftpServer::Start() {
  asio::co_spawn(shared_->socket.get_executor(), Listener(shared_), asio::detached);
}

void TftpServer::Stop() {
  asio::post(shared_->socket.get_executor(), [shared = shared_] {
    asio::error_code ignored;
    shared->socket.close(ignored);
  });
}

bool TftpServer::listening() const { return shared_->listening.load(); }

TftpStats TftpServer::stats() const {
  TftpStats s;
  s.transfers_started = shared_->started.load();
  s.transfers_completed = shared_->completed.load();
  s.transfers_failed = shared_->failed.load();
  s.requests_refused = shared_->refused.load();
  s.requests_deferred = shared_->deferred.load();
  s.bytes_sent = shared_->bytes_sent.load();
  s.retransmissions = shared_->retransmissions.load();
  std::lock_guard lock(shared_->mutex);
  s.active_transfers = shared_->active;
  return s;
}

}  // namespace opencapf::tftp
