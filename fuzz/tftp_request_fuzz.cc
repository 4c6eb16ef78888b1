// Feeds arbitrary bytes to the TFTP packet decoder (what the server's request port and its
// transfer sockets receive), then for what decodes: encoding gives back an equivalent packet,
// option negotiation keeps every value inside its RFC range and the configured limits, netascii
// conversion round-trips, and the file name resolves against a directory root without ever
// serving the file that lies outside it.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "tftp/file_source.h"
#include "tftp/packet.h"

namespace {

using namespace opencapf;
using namespace opencapf::tftp;
namespace fs = std::filesystem;

void Check(bool condition) {
  if (!condition) std::abort();
}

const char kSecret[] = "the file outside the TFTP root";

// A root with a file, a subdirectory, a link inside and links out; and the file outside.
// Removes the directory when the fuzzer exits.
struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

const DirectorySource& Root() {
  static const TempDir dir{fs::temp_directory_path() /
                           ("opencapf-tftp-fuzz-" + std::to_string(::getpid()))};
  static const DirectorySource* source = [] {
    const fs::path& base = dir.path;
    fs::remove_all(base);
    fs::create_directories(base / "root" / "dir");
    fs::create_directories(base / "outside");
    std::ofstream(base / "root" / "a") << "a";
    std::ofstream(base / "root" / "dir" / "b") << "b";
    std::ofstream(base / "outside" / "secret") << kSecret;
    fs::create_symlink("a", base / "root" / "in");
    fs::create_symlink("../outside/secret", base / "root" / "out");
    fs::create_symlink(base / "outside" / "secret", base / "root" / "abs");
    fs::create_symlink("../outside", base / "root" / "dirout");
    fs::create_symlink("../../outside", base / "root" / "dir" / "up");
    return new DirectorySource(base / "root");
  }();
  return *source;
}

void Negotiate(const Request& request, ByteView input) {
  OptionLimits limits;
  if (input.size() >= 4) {
    limits.max_blksize =
        static_cast<std::uint16_t>((input[input.size() - 4] << 8) | input[input.size() - 3]);
    limits.max_windowsize =
        static_cast<std::uint16_t>((input[input.size() - 2] << 8) | input[input.size() - 1]);
  }
  const std::uint64_t size = input.size() * 1000;
  Negotiation n = NegotiateOptions(request.options, limits, size);
  const std::uint16_t max_blksize =
      std::clamp<std::uint16_t>(limits.max_blksize, kMinBlockSize, kMaxBlockSize);
  auto accepted = [&](const char* name) {
    return std::any_of(n.accepted.begin(), n.accepted.end(),
                       [&](const Option& o) { return o.name == name; });
  };
  // Not negotiated: the RFC 1350 defaults, whatever the limits.
  if (accepted("blksize")) {
    Check(n.blksize >= kMinBlockSize && n.blksize <= max_blksize);
  } else {
    Check(n.blksize == kDefaultBlockSize);
  }
  if (accepted("windowsize")) {
    Check(n.windowsize >= 1 && n.windowsize <= std::max<std::uint16_t>(limits.max_windowsize, 1));
  } else {
    Check(n.windowsize == 1);
  }
  if (n.timeout) Check(n.timeout->count() >= 1 && n.timeout->count() <= 255);
  Check(n.accepted.size() + n.ignored.size() == request.options.size());
  std::set<std::string> names;
  for (const Option& o : n.accepted) {
    Check(names.insert(o.name).second);
    Check(o.name == "blksize" || o.name == "timeout" || o.name == "tsize" ||
          o.name == "windowsize");
    if (o.name == "blksize") Check(o.value == std::to_string(n.blksize));
    if (o.name == "windowsize") Check(o.value == std::to_string(n.windowsize));
    if (o.name == "tsize") Check(o.value == std::to_string(size));
  }
  // The OACK it produces decodes back to the same options.
  if (!n.accepted.empty()) {
    auto oack = DecodePacket(EncodeOptionAck(n.accepted));
    Check(oack.ok());
    Check(std::get<OptionAckPacket>(*oack).options == n.accepted);
  }
}

void Lookup(const std::string& name) {
  FileLookup f = Root().Open(name);
  if (f.ok()) {
    Check(std::string(f.bytes->begin(), f.bytes->end()) != kSecret);
  } else {
    Check(f.error != FileError::kNone && !f.message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteView input(data, size);

  Bytes wire = ToNetascii(input);
  Check(FromNetascii(wire) == Bytes(input.begin(), input.end()));

  auto packet = DecodePacket(input);
  if (!packet.ok()) {
    Check(!packet.message().empty());
    return 0;
  }
  // Decoding normalises (lowercase option names and mode, text up to a NUL), so the round trip
  // is checked on the decoded form.
  auto again = DecodePacket(Encode(*packet));
  Check(again.ok());
  Check(*again == *packet);

  if (auto* request = std::get_if<Request>(&*packet)) {
    Negotiate(*request, input);
    Lookup(request->filename);
  }
  return 0;
}
