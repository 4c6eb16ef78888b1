// Feeds arbitrary bytes to the HTTP request head parser (what the provisioning port receives),
// then for what parses: the target's file name never leaves the root (no `..`, absolute name,
// NUL or backslash gets through, and the file outside is never served), Range and HTTP-date
// values parse to something consistent, and the answer to the request is well formed and
// never sends bytes outside the file's snapshot. The same input is also tried as a Range value
// and an HTTP-date on its own, and as a response head (what the phone's side reads).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "http/answer.h"
#include "http/request.h"
#include "http/response.h"
#include "http/response_head.h"
#include "tftp/file_source.h"

namespace {

using namespace opencapf;
using namespace opencapf::http;
namespace fs = std::filesystem;

void Check(bool condition) {
  if (!condition) std::abort();
}

const char kSecret[] = "the file outside the TFTP root";

// A root with a file, a link inside and links out; and the file outside. Removed when the
// fuzzer exits.
struct FuzzDir {
  fs::path path;
  ~FuzzDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

const tftp::FileSource& Files() {
  static const FuzzDir dir{fs::temp_directory_path() /
                           ("opencapf-http-fuzz-" + std::to_string(::getpid()))};
  static const tftp::FileSource* source = [] {
    const fs::path& base = dir.path;
    fs::remove_all(base);
    fs::create_directories(base / "root" / "dir");
    fs::create_directories(base / "outside");
    std::ofstream(base / "root" / "a") << "0123456789";
    std::ofstream(base / "root" / "dir" / "b.xml") << "<b/>";
    std::ofstream(base / "outside" / "secret") << kSecret;
    fs::create_symlink("a", base / "root" / "in");
    fs::create_symlink("../outside/secret", base / "root" / "out");
    fs::create_symlink(base / "outside" / "secret", base / "root" / "abs");
    fs::create_symlink("../outside", base / "root" / "dirout");
    return new tftp::DirectorySource(base / "root");
  }();
  return *source;
}

void CheckName(std::string_view target) {
  auto name = FileNameFromTarget(target);
  if (!name.ok()) {
    Check(!name.message().empty());
    return;
  }
  const std::string& n = *name;
  Check(!n.empty() && n.front() != '/');
  Check(n.find('\0') == std::string::npos && n.find('\\') == std::string::npos);
  Check(n != ".." && n.rfind("../", 0) != 0 && n.find("/../") == std::string::npos &&
        (n.size() < 3 || n.substr(n.size() - 3) != "/.."));
}

void CheckRange(std::string_view value, std::uint64_t size) {
  auto ranges = ParseRange(value);
  if (!ranges.ok()) {
    Check(!ranges.message().empty());
    return;
  }
  Check(!ranges->empty() && ranges->size() <= 100);
  for (const RangeSpec& r : *ranges) {
    Check(r.first || r.last);
    if (r.first && r.last) Check(*r.first <= *r.last);
  }
  const RangeChoice choice = ChooseRange(*ranges, size);
  if (choice.kind == RangeChoice::Kind::kPart) {
    Check(ranges->size() == 1);
    Check(choice.first <= choice.last && choice.last < size);
  }
}

void CheckDate(std::string_view text) {
  auto t = ParseHttpDate(text);
  if (!t.ok()) return;
  // What parses formats to an IMF-fixdate that parses back to the same time.
  if (*t >= 0 && *t <= 253402300799) {
    auto again = ParseHttpDate(FormatHttpDate(*t));
    Check(again.ok() && *again == *t);
  }
}

void CheckAnswer(const Request& request) {
  const Response r = AnswerRequest(request, Files(), 1700000000);
  Check(r.status >= 200 && r.status <= 599 && ReasonPhrase(r.status) != "Unknown");
  const std::string head = FormatHead(r);
  Check(head.rfind("HTTP/1.1 ", 0) == 0 && head.size() >= 4 &&
        head.substr(head.size() - 4) == "\r\n\r\n");
  if (r.file) {
    Check(r.offset <= r.file->size() && r.length <= r.file->size() - r.offset);
    Check(std::string(r.file->begin(), r.file->end()) != kSecret);
  }
  if (r.status == 200 || r.status == 206) Check(r.file != nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckRange(input, size * 7);
  CheckDate(input);
  CheckName(input);
  // The same bytes as a response head, as the phone's side reads one.
  if (auto response = ParseResponseHead(input); response.ok()) {
    Check(response->status >= 0 && response->status <= 999);
  }

  const std::size_t end = FindHeadEnd(input);
  if (end != std::string_view::npos) Check(end <= input.size());
  auto request = ParseRequestHead(end == std::string_view::npos ? input : input.substr(0, end));
  if (!request.ok()) {
    Check(!request.message().empty());
    return 0;
  }
  Check(!request->method.empty() && !request->target.empty());
  for (const Header& h : request->headers) {
    for (char c : h.name) Check(!(c >= 'A' && c <= 'Z'));
    Check(h.value.find_first_of("\r\n") == std::string::npos);
  }
  (void)request->KeepAlive();
  (void)request->HasBody();
  CheckName(request->target);
  for (const Header& h : request->headers) {
    if (h.name == "range") CheckRange(h.value, 10);
    if (h.name == "if-modified-since" || h.name == "if-range") CheckDate(h.value);
  }
  CheckAnswer(*request);
  return 0;
}
