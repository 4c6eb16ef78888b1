// A sequence of TFTP and HTTP requests against one TFTP root, through the code the servers run
// for each request: the TFTP request port's verdict (JudgeRequest), the read transfer's plan and
// its blocks under a fuzzer-chosen sequence of ACKs (PlanRead, BlockOf, AckedBlock), the HTTP
// connection's pipelined heads and their answers (FindHeadEnd, ParseRequestHead, AnswerRequest,
// FormatHead, Response::body), all over the file source `serve` builds (ProvisioningFiles over
// PublishedFiles over DirectorySource). Between requests the set of phones with Encrypted
// Configuration may change, as `serve` refreshes it.
//
// The root holds ordinary files, nested directories, symbolic links inside, out (relative,
// absolute, through a directory) and dangling, a loop, and three phones' configurations, each
// with a marker of its own; a file outside the root holds another. After every response the
// invariant is checked on what would be sent and on the snapshot it is cut from (a Range or a
// TFTP block may carry only part of a file): no byte of the file outside the root, and no
// plain configuration of a phone that is in the encrypted set at that moment. A broken
// invariant aborts, which libFuzzer reports with the input.
//
// One target for both protocols: they share the file source, its signed-copy cache and the
// encrypted set, and a sequence that mixes them (HTTP warms the cache TFTP reads, the set
// changes in between) is what a phone and its neighbours do.
#include <fcntl.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/answer.h"
#include "http/request.h"
#include "http/response.h"
#include "pki/issuer.h"
#include "service/provisioning_files.h"
#include "tftp/file_source.h"
#include "tftp/packet.h"
#include "tftp/read_request.h"

namespace {

using namespace opencapf;
namespace fs = std::filesystem;

// Control bytes at both ends: Printable() escapes them, so a name the client sends is never
// echoed as a marker in an error message; no CR or LF, so netascii leaves a marker whole.
const std::string kOutsideMarker = "\x01OUTSIDE-THE-TFTP-ROOT\x02";

// The three phones; any of them may be in the encrypted set. The second has no certificate
// (then nothing of its configuration is served), the third is the plain one until the set
// says otherwise.
struct Phone {
  const char* name;
  bool has_certificate;
};
constexpr std::array<Phone, 3> kPhones{
    {{"SEP0011223344AA", true}, {"SEP111111111111", false}, {"SEPAABBCCDDEEFF", true}}};

std::string PlainMarker(std::size_t phone) {
  return "\x01PLAIN-CONFIGURATION-OF-" + std::string(kPhones[phone].name) + "\x02";
}

// The configuration of a phone: the elements its pointer configuration copies, and the
// marker in one it does not (a secret, as an encrypted configuration's would be).
std::string PlainConfig(std::size_t phone) {
  return "<device><loadInformation>SIP78xx.14-1-1</loadInformation><capfAuthMode>3"
         "</capfAuthMode><sshPassword>" +
         PlainMarker(phone) + "</sshPassword></device>\n";
}

bool Has(ByteView haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  const auto* begin = reinterpret_cast<const char*>(haystack.data());
  return std::string_view(begin, haystack.size()).find(needle) != std::string_view::npos;
}

// Removes the directory when the fuzzer exits.
struct TempDir {
  fs::path path;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// What every input starts from; made once per process.
struct World {
  std::shared_ptr<const tftp::FileSource> published;  // PublishedFiles over the root
  std::shared_ptr<const service::Identity> signer;
  std::vector<pki::Certificate> phone_certificates;  // phones 0 and 2
};

void Write(const fs::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "request_sequence_fuzz: setup: %s\n", what);
    std::abort();
  }
}

std::shared_ptr<const service::Identity> NewIdentity(const std::string& cn,
                                                     pki::KeyAlgorithm algorithm) {
  pki::CertificateProfile profile;
  profile.subject = {{"CN", cn}};
  auto made =
      pki::SelfSigned({algorithm, algorithm == pki::KeyAlgorithm::kRsa ? 2048 : 256}, profile);
  Require(made.ok(), "cannot make a certificate");
  return std::make_shared<const service::Identity>(service::Identity{made->certificate, made->key});
}

const TempDir& Dir() {
  static const TempDir dir{fs::temp_directory_path() /
                           ("opencapf-request-sequence-" + std::to_string(::getpid()))};
  return dir;
}

const World& TheWorld() {
  static const World* world = [] {
    const fs::path& base = Dir().path;
    fs::remove_all(base);
    const fs::path root = base / "tftp";
    fs::create_directories(root / "dir" / "sub");
    fs::create_directories(base / "outside" / "deeper");
    Write(base / "outside" / "secret", kOutsideMarker);
    Write(base / "outside" / "deeper" / "secret.xml", "<x>" + kOutsideMarker + "</x>");
    Write(base / "outside" / "SEP0011223344AA.cnf.xml", "<device>" + kOutsideMarker + "</device>");

    Write(root / "a.xml", "<a>ordinary\r\nfile\n</a>\n");
    Write(root / "empty", "");
    Write(root / "ITLFile.tlv", "not the published one");
    Write(root / "dir" / "b.tlv", std::string(700, 'b'));
    Write(root / "dir" / "sub" / "c.cnf.xml", "<device/>\n");
    for (std::size_t i = 0; i < kPhones.size(); ++i) {
      Write(root / (std::string(kPhones[i].name) + ".cnf.xml"), PlainConfig(i));
    }
    // A copy of the first phone's configuration, and a directory with its name.
    Write(root / "SEP0011223344AA.cnf.xml.bak", PlainConfig(0));
    fs::create_directories(root / "SEP0011223344AA.d");
    Write(root / "SEP0011223344AA.d" / "x.xml", PlainConfig(0));
    Write(root / "dir" / "SEP111111111111.cnf.xml", PlainConfig(1));

    // Links inside.
    fs::create_symlink("a.xml", root / "in");
    fs::create_symlink("../a.xml", root / "dir" / "up");
    fs::create_symlink("sub", root / "dir" / "subdir");
    fs::create_symlink(root / "a.xml", root / "absin");
    // Links to a phone's configuration (refused while it is encrypted).
    fs::create_symlink("SEP0011223344AA.cnf.xml", root / "phone.xml");
    fs::create_symlink("../SEPAABBCCDDEEFF.cnf.xml", root / "dir" / "other.xml");
    fs::create_symlink("SEP111111111111.cnf.xml", root / "SEP111111111111.cnf.xml.sgn.link");
    // Links out, and nowhere.
    fs::create_symlink("../outside/secret", root / "out");
    fs::create_symlink(base / "outside" / "secret", root / "abs");
    fs::create_symlink("../outside", root / "dirout");
    fs::create_symlink("../../outside/deeper", root / "dir" / "up2");
    fs::create_symlink("../outside/SEP0011223344AA.cnf.xml", root / "SEP0011223344AA.cnf.xml.sgn");
    fs::create_symlink(base, root / "base");
    fs::create_symlink("nowhere", root / "dangling");
    fs::create_symlink("loop", root / "loop");
    // Known times, so that the answers to conditional requests do not depend on the clock.
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const timespec times[2] = {{1600000000, 0}, {1600000000, 0}};
      ::utimensat(AT_FDCWD, entry.path().c_str(), times, AT_SYMLINK_NOFOLLOW);
    }

    auto published =
        std::make_shared<tftp::PublishedFiles>(std::make_shared<tftp::DirectorySource>(root));
    published->Publish("ITLFile.tlv", BytesOf("the published trust list"));
    auto* out = new World;
    out->published = std::move(published);
    out->signer = NewIdentity("tftp.example", pki::KeyAlgorithm::kRsa);
    for (std::size_t phone : {0, 2}) {
      out->phone_certificates.push_back(
          NewIdentity(kPhones[phone].name, pki::KeyAlgorithm::kRsa)->certificate);
    }
    return out;
  }();
  return *world;
}

// The markers that must not be sent now: the outside one, and those of the phones in the set.
struct Forbidden {
  std::vector<std::string> markers{kOutsideMarker};
  std::string request;  // what was asked, for the report

  void Check(ByteView bytes, const char* what) const {
    for (const std::string& marker : markers) {
      if (Has(bytes, marker)) {
        std::fprintf(stderr, "request_sequence_fuzz: %s holds %s (the request: %s)\n", what,
                     tftp::Printable(marker).c_str(), tftp::Printable(request).c_str());
        std::abort();
      }
    }
  }
  void Check(std::string_view text, const char* what) const {
    Check(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), what);
  }

  // Whether a request holds a marker itself. Its answer may echo it (a TFTP ERROR names the file
  // asked for), so such a request is not sent: a marker in what the server sends then comes
  // from a file it read. libFuzzer learns the markers from Has()'s comparisons and puts them in
  // names (make fuzz-long, 7 December 2026: "RRQ C\x01OUTSIDE-THE-TFTP-ROOT\x02/../SEP….cnf.xml").
  bool HeldBy(ByteView request) const {
    return std::any_of(markers.begin(), markers.end(),
                       [&](const std::string& marker) { return Has(request, marker); });
  }
  bool HeldBy(std::string_view request) const {
    return HeldBy(ByteView(reinterpret_cast<const std::uint8_t*>(request.data()), request.size()));
  }
};

class Sequence {
 public:
  explicit Sequence(const World& world)
      : world_(world),
        files_(
            world.published, [signer = world.signer] { return signer; }, pki::Digest::kSha1) {}

  void SetEncrypted(unsigned mask) {
    auto devices = std::make_shared<service::EncryptedDevices>();
    forbidden_ = Forbidden{};
    for (std::size_t i = 0; i < kPhones.size(); ++i) {
      if (!(mask & (1u << i))) continue;
      service::EncryptedDevice device;
      if (kPhones[i].has_certificate) {
        device.certificate = world_.phone_certificates[i == 0 ? 0 : 1];
      } else {
        device.problem = "no LSC";
      }
      (*devices)[kPhones[i].name] = std::move(device);
      forbidden_.markers.push_back(PlainMarker(i));
    }
    files_.SetEncryptedDevices(std::move(devices));
  }

  // One datagram on the TFTP request port, and the transfer it starts, ACKed as `acks` says.
  void Tftp(ByteView datagram, FuzzedDataProvider& acks, const tftp::OptionLimits& limits) {
    if (forbidden_.HeldBy(datagram)) return;
    const tftp::RequestVerdict verdict = tftp::JudgeRequest(datagram);
    if (verdict.kind == tftp::RequestVerdict::Kind::kIgnore) return;
    if (verdict.kind == tftp::RequestVerdict::Kind::kRefuse) {
      forbidden_.Check(tftp::EncodeError(verdict.code, verdict.message), "a TFTP ERROR");
      return;
    }
    forbidden_.request = verdict.what;
    const tftp::ReadPlan plan = tftp::PlanRead(verdict.request, files_, limits);
    if (!plan.ok()) {
      forbidden_.Check(tftp::EncodeError(plan.code, plan.message), "a TFTP ERROR");
      return;
    }
    forbidden_.Check(*plan.payload, "a TFTP transfer's payload");
    if (!plan.negotiation.accepted.empty()) {
      forbidden_.Check(tftp::EncodeOptionAck(plan.negotiation.accepted), "a TFTP OACK");
    }
    // The server's window loop: send base..end, then the client's ACK moves the window (or
    // is ignored, or does not come and the window is sent again).
    const std::uint16_t blksize = plan.negotiation.blksize;
    const std::uint64_t windowsize = plan.negotiation.windowsize;
    std::uint64_t base = 1;
    int scripted = acks.ConsumeIntegralInRange(0, 8);
    for (int round = 0; round < 64; ++round) {
      const std::uint64_t end = std::min(base + windowsize - 1, plan.last_block);
      for (std::uint64_t i = base; i <= end; ++i) {
        const ByteView block = tftp::BlockOf(*plan.payload, blksize, i);
        if (block.size() > blksize || block.data() < plan.payload->data() ||
            block.data() + block.size() > plan.payload->data() + plan.payload->size()) {
          std::abort();  // a block cut outside the snapshot
        }
        forbidden_.Check(tftp::EncodeData(static_cast<std::uint16_t>(i & 0xffff), block),
                         "a TFTP DATA packet");
      }
      // The client's first ACKs come from the input; after them, it acknowledges each window.
      const std::uint16_t ack = scripted-- > 0 ? acks.ConsumeIntegral<std::uint16_t>()
                                               : static_cast<std::uint16_t>(end & 0xffff);
      if (auto acked = tftp::AckedBlock(base, end - base + 1, ack)) {
        if (*acked < base || *acked > end) std::abort();
        if (*acked == plan.last_block) return;
        base = *acked + 1;
      }
    }
  }

  // Bytes arriving on the HTTP connection; every complete head is answered, as the server's
  // connection loop does. A response that closes the connection drops what follows it.
  void Http(std::string_view bytes, std::time_t now) {
    pending_.append(bytes);
    while (true) {
      const std::size_t end = http::FindHeadEnd(pending_);
      if (end == std::string::npos) {
        if (pending_.size() >= kMaxHeadSize) pending_.clear();  // 431, and the connection closes
        return;
      }
      const std::string head = pending_.substr(0, end);
      pending_.erase(0, end);
      if (forbidden_.HeldBy(head)) continue;
      http::RequestLimits limits;
      limits.max_head_size = kMaxHeadSize;
      forbidden_.request = head.substr(0, head.find('\r'));
      auto request = http::ParseRequestHead(head, limits);
      if (!request.ok()) {
        pending_.clear();  // 400, and the connection closes
        continue;
      }
      const http::Response response = http::AnswerRequest(*request, files_, now);
      forbidden_.Check(http::FormatHead(response), "an HTTP response head");
      forbidden_.Check(response.body(), "an HTTP response body");
      if (response.file) forbidden_.Check(*response.file, "the file an HTTP response is cut from");
      if (response.file && response.send_body) {
        const ByteView body = response.body();
        if (body.data() < response.file->data() ||
            body.data() + body.size() > response.file->data() + response.file->size()) {
          std::abort();  // a body cut outside the snapshot
        }
      }
      if (response.close) pending_.clear();
    }
  }

 private:
  static constexpr std::size_t kMaxHeadSize = 8192;

  const World& world_;
  service::ProvisioningFiles files_;
  Forbidden forbidden_;
  std::string pending_;
};

// A name a client might ask for: components from the root's own names and the usual attempts to
// leave it, joined by separators a server might treat as one, in a letter case and with a suffix.
std::string Name(FuzzedDataProvider& in) {
  static constexpr const char* kParts[] = {
      "a.xml",
      "in",
      "dir",
      "sub",
      "subdir",
      "up",
      "up2",
      "b.tlv",
      "c.cnf.xml",
      "absin",
      "phone.xml",
      "other.xml",
      "out",
      "abs",
      "dirout",
      "base",
      "dangling",
      "loop",
      "secret",
      "secret.xml",
      "deeper",
      "outside",
      "tftp",
      "ITLFile.tlv",
      "empty",
      "SEP0011223344AA.cnf.xml",
      "SEP111111111111.cnf.xml",
      "SEPAABBCCDDEEFF.cnf.xml",
      "SEP0011223344AA",
      "SEP0011223344AA.d",
      "x.xml",
      "..",
      ".",
      "",
      "...",
  };
  static constexpr const char* kSeparators[] = {"/", "//", "\\", "/./", "/../"};
  static constexpr const char* kSuffixes[] = {"", ".sgn", ".enc.sgn", ".bak", ".SGN", ".link"};
  std::string name;
  if (in.ConsumeBool()) name = in.ConsumeBool() ? "/" : "./";
  const int parts = in.ConsumeIntegralInRange(1, 4);
  for (int i = 0; i < parts; ++i) {
    if (i > 0) name += kSeparators[in.ConsumeIntegralInRange<std::size_t>(0, 4)];
    if (in.ConsumeIntegralInRange(0, 7) == 0) {
      name += in.ConsumeRandomLengthString(24);
    } else {
      name += kParts[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kParts) - 1)];
    }
  }
  name += kSuffixes[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kSuffixes) - 1)];
  switch (in.ConsumeIntegralInRange(0, 3)) {
    case 1:
      for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      break;
    case 2:
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      break;
    default:
      break;
  }
  return name;
}

std::string TftpRequest(FuzzedDataProvider& in) {
  static constexpr const char* kModes[] = {"octet", "netascii", "OCTET", "NetAscii", "mail"};
  static constexpr const char* kOptions[] = {"blksize",    "tsize",   "timeout",
                                             "windowsize", "BLKSIZE", "x"};
  std::string out;
  out += '\0';
  out += in.ConsumeIntegralInRange(0, 7) == 0 ? '\2' : '\1';
  out += Name(in);
  out += '\0';
  out += kModes[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kModes) - 1)];
  out += '\0';
  const int options = in.ConsumeIntegralInRange(0, 4);
  for (int i = 0; i < options; ++i) {
    out += kOptions[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kOptions) - 1)];
    out += '\0';
    out += in.ConsumeBool() ? std::to_string(in.ConsumeIntegralInRange(0, 70000))
                            : in.ConsumeRandomLengthString(8);
    out += '\0';
  }
  return out;
}

// The name as a request target: each byte as it is, or percent-encoded (so that "%2e%2e",
// "%2f" and "%00" reach the decoder), in a letter case of its own.
std::string Target(FuzzedDataProvider& in) {
  const std::string name = Name(in);
  const int encoding = in.ConsumeIntegralInRange(0, 3);  // none, dots and slashes, all, some
  std::string out = name.empty() || name.front() != '/' ? "/" : "";
  for (char c : name) {
    const bool special = c == '.' || c == '/' || c == '\\' || c == '\0' || c == '%';
    const bool encode =
        encoding == 2 || (encoding == 1 && special) || (encoding == 3 && in.ConsumeBool());
    if (encode || c == '\0' || c == ' ' || c == '\r' || c == '\n') {
      char hex[4];
      std::snprintf(hex, sizeof(hex), in.ConsumeBool() ? "%%%02X" : "%%%02x",
                    static_cast<unsigned char>(c));
      out += hex;
    } else {
      out += c;
    }
  }
  if (in.ConsumeIntegralInRange(0, 7) == 0) out += in.ConsumeBool() ? "?x=1" : "#frag";
  return out;
}

std::string HttpRequest(FuzzedDataProvider& in, std::time_t now) {
  static constexpr const char* kMethods[] = {"GET", "HEAD", "get", "POST", "OPTIONS"};
  static constexpr const char* kVersions[] = {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0"};
  std::string out = kMethods[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kMethods) - 1)];
  out += " " + Target(in) + " ";
  out += kVersions[in.ConsumeIntegralInRange<std::size_t>(0, std::size(kVersions) - 1)];
  out += "\r\nHost: tftp.example\r\n";
  const int headers = in.ConsumeIntegralInRange(0, 4);
  for (int i = 0; i < headers; ++i) {
    switch (in.ConsumeIntegralInRange(0, 7)) {
      case 0: {
        const auto first = in.ConsumeIntegralInRange(0, 800);
        const auto last = in.ConsumeIntegralInRange(0, 800);
        out += "Range: bytes=" + std::to_string(first) + "-" + std::to_string(last) + "\r\n";
        break;
      }
      case 1:
        out += "Range: bytes=-" + std::to_string(in.ConsumeIntegralInRange(0, 800)) + "\r\n";
        break;
      case 2:
        out += "Range: " + in.ConsumeRandomLengthString(32) + "\r\n";
        break;
      case 3:
        out += "If-Modified-Since: " +
               http::FormatHttpDate(now - in.ConsumeIntegralInRange(-100000000, 100000000)) +
               "\r\n";
        break;
      case 4:
        out += "If-Range: " + http::FormatHttpDate(in.ConsumeBool() ? 1600000000 : now) + "\r\n";
        break;
      case 5:
        out += "If-None-Match: \"x\"\r\n";
        break;
      case 6:
        out += in.ConsumeBool() ? "Connection: close\r\n" : "Content-Length: 3\r\n";
        break;
      default:
        out += in.ConsumeRandomLengthString(40) + "\r\n";
        break;
    }
  }
  return out + "\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // The refusals are logged; a line per input would be most of the fuzzer's time.
  spdlog::set_level(spdlog::level::off);
  const World& world = TheWorld();
  // The check must be able to fail: the markers are there to be found, by the same search.
  const fs::path& base = Dir().path;
  tftp::DirectorySource unguarded(base);
  auto outside = unguarded.Open("outside/secret");
  Require(outside.ok() && Has(*outside.bytes, kOutsideMarker), "the outside marker is not found");
  auto plain = world.published->Open("SEP0011223344AA.cnf.xml");
  Require(plain.ok() && Has(*plain.bytes, PlainMarker(0)), "the plain marker is not found");
  // And the phones' files are made: the encrypted set is exercised, not refused for want of a
  // signer.
  service::ProvisioningFiles files(
      world.published, [signer = world.signer] { return signer; }, pki::Digest::kSha1);
  auto devices = std::make_shared<service::EncryptedDevices>();
  (*devices)[kPhones[0].name].certificate = world.phone_certificates[0];
  files.SetEncryptedDevices(devices);
  Require(files.Open("SEP0011223344AA.cnf.xml.enc.sgn").ok(), "no encrypted configuration made");
  Require(files.Open("SEP0011223344AA.cnf.xml.sgn").ok(), "no pointer configuration made");
  Require(!files.Open("SEP0011223344AA.cnf.xml").ok(), "the plain configuration is served");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Sequence sequence(TheWorld());
  sequence.SetEncrypted(in.ConsumeIntegralInRange(0u, 7u));
  const std::time_t now = 1700000000;
  for (int step = 0; step < 16 && in.remaining_bytes() > 0; ++step) {
    switch (in.ConsumeIntegralInRange(0, 4)) {
      case 0: {
        const std::string datagram = TftpRequest(in);
        tftp::OptionLimits limits;
        limits.max_blksize = in.ConsumeBool() ? 1468 : tftp::kMaxBlockSize;
        limits.max_windowsize = in.ConsumeIntegralInRange<std::uint16_t>(1, 16);
        sequence.Tftp(BytesOf(datagram), in, limits);
        break;
      }
      case 1: {
        const std::string datagram = in.ConsumeRandomLengthString(600);
        sequence.Tftp(BytesOf(datagram), in, tftp::OptionLimits{});
        break;
      }
      case 2:
        sequence.Http(HttpRequest(in, now), now);
        break;
      case 3:
        sequence.Http(in.ConsumeRandomLengthString(1000), now);
        break;
      default:
        sequence.SetEncrypted(in.ConsumeIntegralInRange(0u, 7u));
        break;
    }
  }
  return 0;
}
