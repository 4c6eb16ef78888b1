#include "tftp/read_request.h"

#include <algorithm>

namespace opencapf::tftp {

namespace {

ErrorCode CodeFor(FileError error) {
  switch (error) {
    case FileError::kNotFound:
      return ErrorCode::kFileNotFound;
    case FileError::kAccessViolation:
      return ErrorCode::kAccessViolation;
    case FileError::kNone:
    case FileError::kUnavailable:
      break;
  }
  return ErrorCode::kNotDefined;
}

RequestVerdict Refuse(std::string what, ErrorCode code, std::string message) {
  RequestVerdict out;
  out.kind = RequestVerdict::Kind::kRefuse;
  out.what = std::move(what);
  out.code = code;
  out.message = std::move(message);
  return out;
}

}  // namespace

RequestVerdict JudgeRequest(ByteView datagram) {
  auto packet = DecodePacket(datagram);
  if (!packet.ok()) {
    // Never answer an ERROR with an ERROR: two servers could bounce them forever.
    if (datagram.size() >= 2 && datagram[0] == 0 && datagram[1] == 5) return {};
    return Refuse("request", ErrorCode::kIllegalOperation,
                  "malformed request: " + packet.message());
  }
  auto* request = std::get_if<Request>(&*packet);
  if (request == nullptr) {
    if (std::holds_alternative<ErrorPacket>(*packet)) return {};
    const auto opcode = static_cast<std::uint16_t>((datagram[0] << 8) | datagram[1]);
    std::string what = OpcodeName(opcode);
    std::string why = "expected a read request (RRQ) on this port, got " + what;
    return Refuse(std::move(what), ErrorCode::kIllegalOperation, std::move(why));
  }
  std::string what = std::string(request->write ? "WRQ " : "RRQ ") + Printable(request->filename);
  if (request->write) {
    return Refuse(std::move(what), ErrorCode::kAccessViolation, "opencapf serves files read-only");
  }
  if (request->mode == Mode::kMail) {
    return Refuse(std::move(what), ErrorCode::kIllegalOperation,
                  "mail mode is not supported; ask in octet or netascii mode");
  }
  RequestVerdict out;
  out.kind = RequestVerdict::Kind::kRead;
  out.what = std::move(what);
  out.request = std::move(*request);
  return out;
}

ReadPlan PlanRead(const Request& request, const FileSource& files, const OptionLimits& limits) {
  ReadPlan plan;
  FileLookup lookup = files.Open(request.filename);
  if (!lookup.ok()) {
    plan.code = CodeFor(lookup.error);
    plan.message = std::move(lookup.message);
    return plan;
  }
  plan.payload = request.mode == Mode::kNetascii
                     ? std::make_shared<const Bytes>(ToNetascii(*lookup.bytes))
                     : std::move(lookup.bytes);
  plan.negotiation = NegotiateOptions(request.options, limits, plan.payload->size());
  plan.last_block = plan.payload->size() / plan.negotiation.blksize + 1;
  return plan;
}

ByteView BlockOf(const Bytes& payload, std::uint16_t blksize, std::uint64_t index) {
  const std::uint64_t offset = (index - 1) * blksize;
  const std::size_t length =
      static_cast<std::size_t>(std::min<std::uint64_t>(blksize, payload.size() - offset));
  return ByteView(payload.data() + offset, length);
}

std::optional<std::uint64_t> AckedBlock(std::uint64_t base, std::uint64_t in_flight,
                                        std::uint16_t ack) {
  const auto expected_before = static_cast<std::uint16_t>((base - 1) & 0xffff);
  const auto ahead = static_cast<std::uint16_t>(ack - expected_before);
  if (ahead == 0 || ahead > in_flight) return std::nullopt;
  return base - 1 + ahead;
}

}  // namespace opencapf::tftp
