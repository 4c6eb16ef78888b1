// The server side of TVS (wire-formats.md §3): the phone speaks first, we answer each request.
#include "tvs/server_session.h"

#include <spdlog/spdlog.h>

#include "pki/certificate.h"
#include "tlv/trust_list.h"

namespace opencapf::tvs {

namespace {

// "CCM,TFTP": one log field, no spaces.
std::string RoleCodes(const std::vector<std::uint8_t>& roles) {
  std::string out;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    out += (i > 0 ? "," : "") + tlv::RoleName(roles[i]);
  }
  return out.empty() ? "none" : out;
}

// A log field that may hold anything a phone sent: quotes and control characters escaped.
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
      out += "\\x" + HexLower(ByteView(&u, 1));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

TvsServerSession::TvsServerSession(net::ChannelStream& stream, TrustCache& trust,
                                   const SessionLimits& limits, std::string peer)
    : channel_(stream, "the phone",
               {.max_body = limits.max_message_body, .max_bytes = limits.max_session_bytes}),
      trust_(trust),
      limits_(limits),
      peer_(std::move(peer)) {}

asio::awaitable<SessionReport> TvsServerSession::Run() {
  const auto started = std::chrono::steady_clock::now();
  SessionReport report;
  const std::chrono::steady_clock::duration timeout = limits_.message_timeout;
  auto finish = [&](bool clean, std::string reason) {
    report.clean = clean;
    report.reason = std::move(reason);
    report.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return report;
  };
  for (;;) {
    const std::string_view waiting =
        report.requests == 0 ? "a VERIFY_REQUEST" : "the next VERIFY_REQUEST";
    const std::size_t read_before = channel_.bytes_read();
    auto message = co_await channel_.Read(timeout, waiting);
    if (!message.ok()) {
      const std::string requests =
          std::to_string(report.requests) + " request" + (report.requests == 1 ? "" : "s");
      if (channel_.last_failure() == net::ChannelFailure::kClosed && report.requests > 0) {
        co_return finish(true, "the phone closed the connection after " + requests);
      }
      // A phone that keeps the connection open without asking more is closed quietly.
      if (channel_.last_failure() == net::ChannelFailure::kTimeout && report.requests > 0 &&
          channel_.bytes_read() == read_before) {
        co_return finish(true, "idle after " + requests + "; closed");
      }
      co_return finish(false, message.message());
    }
    if (!IsRequest(message->command)) {
      co_return finish(false, "the phone sent " + CommandName(message->command) +
                                  ", which only a server sends; closing");
    }
    auto request = ParseVerifyRequest(*message);
    if (!request.ok()) co_return finish(false, "malformed request: " + request.message());

    Answer answer = trust_.Check(request->certificate);
    std::string subject = answer.subject;
    if (subject.empty()) {
      auto parsed = pki::Certificate::FromDer(request->certificate);
      subject = parsed.ok() ? parsed->Subject() : "(not a certificate: " + parsed.message() + ")";
    }
    auto response =
        MakeVerifyResponse(message->session_id, answer.response, ResponseTo(message->command));
    if (!response.ok()) co_return finish(false, "building the answer: " + response.message());
    spdlog::info("tvs: {} device={} subject={} sha256={} verdict={}{} ({})", peer_,
                 request->device_name.empty() ? "-" : Quoted(request->device_name), Quoted(subject),
                 Sha256Hex(request->certificate), VerdictName(answer.response.status),
                 answer.response.status == Verdict::kValid
                     ? " roles=" + RoleCodes(answer.response.roles) +
                           " ttl=" + std::to_string(answer.response.ttl)
                     : std::string(),
                 answer.reason);
    const Message reply = std::move(*response);
    if (auto sent = co_await channel_.Write(reply, timeout); !sent.ok()) {
      co_return finish(false, sent.message());
    }
    ++report.requests;
  }
}

}  // namespace opencapf::tvs
