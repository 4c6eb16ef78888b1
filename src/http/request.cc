#include "http/request.h"

#include <algorithm>
#include <array>
#include <limits>

#include "tftp/packet.h"

namespace opencapf::http {

namespace {

constexpr std::size_t kMaxRanges = 100;

bool IsTokenChar(char c) {
  // tchar (RFC 9110 §5.6.2)
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsTokenChar);
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerText(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A run of decimal digits with no sign or space; nullopt if it is not one or overflows.
std::optional<std::uint64_t> Decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// The elements of a comma-separated list (RFC 9110 §5.6.1), trimmed, empty ones dropped.
std::vector<std::string_view> ListElements(std::string_view text) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t comma = text.find(',');
    std::string_view element = TrimWhitespace(text.substr(0, comma));
    if (!element.empty()) out.push_back(element);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string Shown(std::string_view text, std::size_t max = 64) {
  return "'" + tftp::Printable(text, max) + "'";
}

std::string ByteShown(char c) { return tftp::Printable(std::string_view(&c, 1)); }

Result<Request> ParseRequestLine(std::string_view line) {
  const std::size_t first_space = line.find(' ');
  if (first_space == std::string_view::npos) {
    return Fail("request line " + Shown(line) +
                " is not 'METHOD target HTTP/1.1' (no space after the method)");
  }
  const std::size_t second_space = line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) {
    return Fail("request line " + Shown(line) +
                " is not 'METHOD target HTTP/1.1' (no space before the version)");
  }
  Request request;
  const std::string_view method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  const std::string_view version = line.substr(second_space + 1);
  if (!IsToken(method)) {
    return Fail("request line: method " + Shown(method, 32) + " is not a token (RFC 9110 §9)");
  }
  if (target.empty()) return Fail("request line: the target is empty (two spaces in a row?)");
  for (std::size_t i = 0; i < target.size(); ++i) {
    const auto c = static_cast<unsigned char>(target[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return Fail("request line: byte " + std::to_string(i) + " of the target is " +
                  ByteShown(target[i]) +
                  ", which a request target cannot hold (percent-encode it)");
    }
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[5] < '0' ||
      version[5] > '9' || version[6] != '.' || version[7] < '0' || version[7] > '9') {
    return Fail("request line: version " + Shown(version, 32) +
                " is not HTTP/<digit>.<digit> (RFC 9112 §2.3; the name is upper case)");
  }
  request.method = std::string(method);
  request.target = std::string(target);
  request.major = version[5] - '0';
  request.minor = version[7] - '0';
  return request;
}

// Checks a header line and appends it; `number` is the line's number in the head, from 1.
Status AddHeaderLine(std::string_view line, std::size_t number, Request* request) {
  const std::string where = "header line " + std::to_string(number);
  if (line.front() == ' ' || line.front() == '\t') {
    return Fail(where +
                " starts with whitespace: obsolete line folding is not accepted (RFC 9112 §5.2)");
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Fail(where + " has no ':' after the field name");
  const std::string_view name = line.substr(0, colon);
  if (!name.empty() && (name.back() == ' ' || name.back() == '\t')) {
    return Fail(where + ": whitespace between the field name " + Shown(TrimWhitespace(name), 32) +
                " and its colon is not allowed (RFC 9112 §5.1)");
  }
  if (!IsToken(name)) {
    return Fail(where + ": field name " + Shown(name, 32) + " is not a token (RFC 9110 §5.1)");
  }
  const std::string_view value = TrimWhitespace(line.substr(colon + 1));
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    // field-vchar, SP and HTAB; obs-text (0x80-0xff) stays allowed (RFC 9110 §5.5).
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return Fail(where + ": the value of " + Shown(name, 32) + " holds the control character " +
                  ByteShown(c));
    }
  }
  request->headers.push_back(Header{LowerText(name), std::string(value)});
  return Status::Ok();
}

// The framing headers: Host for HTTP/1.1, and the body's length, which must be unambiguous even
// though the body is never read (a server that guessed wrong would take it for a request).
Status CheckFraming(Request* request) {
  const std::size_t hosts = request->Count("host");
  if (hosts > 1) return Fail("more than one Host header (RFC 9112 §3.2)");
  if (hosts == 0 && request->major == 1 && request->minor >= 1) {
    return Fail("an HTTP/1.1 request must have a Host header (RFC 9112 §3.2)");
  }
  request->transfer_encoding = request->Count("transfer-encoding") > 0;
  for (const Header& h : request->headers) {
    if (h.name != "content-length") continue;
    // Repeated values, or a list, must all be the same number (RFC 9110 §8.6).
    std::vector<std::string_view> values = ListElements(h.value);
    if (values.empty()) return Fail("Content-Length is empty");
    for (std::string_view v : values) {
      auto length = Decimal(v);
      if (!length) {
        return Fail("Content-Length " + Shown(v, 32) + " is not a number of bytes");
      }
      if (request->content_length && *request->content_length != *length) {
        return Fail("Content-Length is given twice with different values");
      }
      request->content_length = *length;
    }
  }
  if (request->transfer_encoding && request->content_length) {
    return Fail("Content-Length and Transfer-Encoding together are refused (RFC 9112 §6.3)");
  }
  return Status::Ok();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

CivilDate CivilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

constexpr std::array<std::string_view, 7> kDayNames = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDayNames = {
    "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonthNames = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool IsLeapYear(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Reads fixed-width pieces of a date, failing once and remembering it.
class DateReader {
 public:
  explicit DateReader(std::string_view text) : text_(text) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == text_.size(); }
  void Literal(std::string_view expected) {
    if (!ok_ || text_.substr(pos_, expected.size()) != expected) {
      ok_ = false;
      return;
    }
    pos_ += expected.size();
  }
  // `width` digits; with `space_padded`, a leading space may stand for a zero (asctime's day).
  unsigned Digits(std::size_t width, bool space_padded = false) {
    unsigned value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      if (!ok_ || pos_ >= text_.size()) {
        ok_ = false;
        return 0;
      }
      const char c = text_[pos_++];
      if (space_padded && i == 0 && c == ' ') continue;
      if (c < '0' || c > '9') {
        ok_ = false;
        return 0;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value;
  }
  template <std::size_t N>
  unsigned Name(const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; ok_ && i < N; ++i) {
      if (text_.substr(pos_, names[i].size()) == names[i]) {
        pos_ += names[i].size();
        return static_cast<unsigned>(i);
      }
    }
    ok_ = false;
    return 0;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

struct DateFields {
  std::int64_t year = 0;
  unsigned month = 0;  // 0-11
  unsigned day = 0, hour = 0, minute = 0, second = 0;
};

void ReadClock(DateReader& r, DateFields& f) {
  f.hour = r.Digits(2);
  r.Literal(":");
  f.minute = r.Digits(2);
  r.Literal(":");
  f.second = r.Digits(2);
}

std::optional<DateFields> ImfFixdate(std::string_view text) {
  DateReader r(text);
  DateFields f;
  r.Name(kDayNames);
  r.Literal(", ");
  f.day = r.Digits(2);
  r.Literal(" ");
  f.month = r.Name(kMonthNames);
  r.Literal(" ");
  f.year = r.Digits(4);
  r.Literal(" ");
  ReadClock(r, f);
  r.Literal(" GMT");
  if (!r.ok() || !r.done()) return std::nullopt;
  return f;
}

std::optional<DateFields> Rfc850Date(std::string_view text) {
  DateReader r(text);
  DateFields f;
  r.Name(kLongDayNames);
  r.Literal(", ");
  f.day = r.Digits(2);
  r.Literal("-");
  f.month = r.Name(kMonthNames);
  r.Literal("-");
  const unsigned yy = r.Digits(2);
  f.year = yy < 70 ? 2000 + yy : 1900 + yy;
  r.Literal(" ");
  ReadClock(r, f);
  r.Literal(" GMT");
  if (!r.ok() || !r.done()) return std::nullopt;
  return f;
}

std::optional<DateFields> AsctimeDate(std::string_view text) {
  DateReader r(text);
  DateFields f;
  r.Name(kDayNames);
  r.Literal(" ");
  f.month = r.Name(kMonthNames);
  r.Literal(" ");
  f.day = r.Digits(2, true);
  r.Literal(" ");
  ReadClock(r, f);
  r.Literal(" ");
  f.year = r.Digits(4);
  if (!r.ok() || !r.done()) return std::nullopt;
  return f;
}

}  // namespace

std::size_t Request::Count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(),
                    [&](const Header& h) { return EqualsIgnoringCase(h.name, name); }));
}

std::optional<std::string_view> Request::Single(std::string_view name) const {
  std::optional<std::string_view> found;
  for (const Header& h : headers) {
    if (!EqualsIgnoringCase(h.name, name)) continue;
    if (found) return std::nullopt;
    found = h.value;
  }
  return found;
}

bool Request::KeepAlive() const {
  bool close = false;
  bool keep_alive = false;
  for (const Header& h : headers) {
    if (h.name != "connection") continue;
    for (std::string_view option : ListElements(h.value)) {
      if (EqualsIgnoringCase(option, "close")) close = true;
      if (EqualsIgnoringCase(option, "keep-alive")) keep_alive = true;
    }
  }
  if (close) return false;
  if (major == 1 && minor == 0) return keep_alive;
  return major == 1;
}

bool Request::HasBody() const {
  return transfer_encoding || (content_length && *content_length > 0);
}

std::size_t FindHeadEnd(std::string_view buffer) {
  std::size_t pos = 0;
  // Empty lines before the request line are not the end of anything (RFC 9112 §2.2).
  while (true) {
    if (buffer.substr(pos, 2) == "\r\n") {
      pos += 2;
    } else if (buffer.substr(pos, 1) == "\n") {
      pos += 1;
    } else {
      break;
    }
  }
  while (true) {
    const std::size_t lf = buffer.find('\n', pos);
    if (lf == std::string_view::npos) return std::string_view::npos;
    // The line after this LF is empty if it is LF alone or CR LF.
    if (buffer.substr(lf + 1, 1) == "\n") return lf + 2;
    if (buffer.substr(lf + 1, 2) == "\r\n") return lf + 3;
    pos = lf + 1;
  }
}

Result<Request> ParseRequestHead(std::string_view head, const RequestLimits& limits) {
  if (head.size() > limits.max_head_size) {
    return Fail("the request head is " + std::to_string(head.size()) + " bytes, over the " +
                std::to_string(limits.max_head_size) + "-byte limit");
  }
  std::size_t pos = 0;
  std::size_t number = 0;  // of the current line, counting skipped empty lines
  std::optional<Request> request;
  while (true) {
    if (pos == head.size()) {
      return Fail(request ? "the request head does not end with an empty line (CRLF CRLF)"
                          : "the request head is empty");
    }
    const std::size_t lf = head.find('\n', pos);
    ++number;
    const std::string where = "line " + std::to_string(number);
    if (lf == std::string_view::npos) {
      return Fail(where + " does not end in CRLF (the head ends in the middle of a line)");
    }
    if (lf == pos || head[lf - 1] != '\r') {
      return Fail(where + " ends in a bare LF; HTTP/1.1 lines end in CRLF (RFC 9112 §2.2)");
    }
    const std::string_view line = head.substr(pos, lf - 1 - pos);
    pos = lf + 1;
    if (line.find('\r') != std::string_view::npos) {
      return Fail(where + " holds a bare CR (RFC 9112 §2.2)");
    }
    if (line.find('\0') != std::string_view::npos) return Fail(where + " holds a NUL byte");
    if (!request) {
      if (line.empty()) continue;  // before the request line
      auto parsed = ParseRequestLine(line);
      if (!parsed.ok()) return parsed.error();
      request = std::move(*parsed);
      continue;
    }
    if (line.empty()) break;
    if (request->headers.size() >= limits.max_headers) {
      return Fail("more than " + std::to_string(limits.max_headers) + " header lines");
    }
    if (Status st = AddHeaderLine(line, number, &*request); !st.ok()) return st.error();
  }
  if (pos != head.size()) {
    return Fail("the request head goes on for " + std::to_string(head.size() - pos) +
                " bytes after the empty line that ends it");
  }
  if (Status st = CheckFraming(&*request); !st.ok()) return st.error();
  return std::move(*request);
}

Result<std::string> DecodeTargetPath(std::string_view target) {
  std::string_view path;
  if (!target.empty() && target.front() == '/') {
    path = target;
  } else if (target.size() >= 7 && EqualsIgnoringCase(target.substr(0, 7), "http://")) {
    // absolute-form (RFC 9112 §3.2.2): the path starts after the authority; none is "/".
    const std::string_view rest = target.substr(7);
    const std::size_t end = rest.find_first_of("/?#");
    if (end == std::string_view::npos || rest[end] != '/') return std::string();
    path = rest.substr(end);
  } else if (target == "*") {
    return Fail("the target '*' names no file (it is for OPTIONS)");
  } else {
    return Fail("the target " + Shown(target) +
                " is neither a path starting with '/' nor an http:// URL");
  }
  path = path.substr(0, path.find_first_of("?#"));
  std::string decoded;
  decoded.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      decoded.push_back(path[i]);
      continue;
    }
    const int high = i + 1 < path.size() ? HexValue(path[i + 1]) : -1;
    const int low = i + 2 < path.size() ? HexValue(path[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return Fail("the target " + Shown(target) + " has a '%' at byte " + std::to_string(i) +
                  " that is not followed by two hex digits");
    }
    decoded.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return decoded.substr(1);  // the '/' every path starts with
}

Status CheckFileName(std::string_view name) {
  if (name.empty()) return Fail("an empty name names no file");
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\0') return Fail("a file name cannot contain a NUL byte");
    if (u < 0x20 || u == 0x7f) return Fail("a file name cannot contain control characters");
    if (c == '\\') {
      return Fail("a backslash is refused in a file name (it is a path separator to some servers)");
    }
  }
  if (name.front() == '/') {
    return Fail("absolute paths are refused; ask for a name relative to the TFTP root");
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    if (name.substr(start, slash - start) == "..") {
      return Fail("a '..' component is refused; names stay inside the TFTP root");
    }
    start = slash + 1;
  }
  return Status::Ok();
}

Result<std::string> FileNameFromTarget(std::string_view target) {
  auto name = DecodeTargetPath(target);
  if (!name.ok()) return name.error();
  if (Status st = CheckFileName(*name); !st.ok()) return st.error();
  return name;
}

Result<std::vector<RangeSpec>> ParseRange(std::string_view value) {
  const std::size_t equals = value.find('=');
  if (equals == std::string_view::npos) return Fail("Range has no '=' after its unit");
  const std::string_view unit = value.substr(0, equals);
  if (!EqualsIgnoringCase(unit, "bytes")) {
    return Fail("Range unit " + Shown(unit, 32) + " is not bytes");
  }
  const std::vector<std::string_view> elements = ListElements(value.substr(equals + 1));
  if (elements.empty()) return Fail("Range asks for no range");
  if (elements.size() > kMaxRanges) {
    return Fail("Range asks for " + std::to_string(elements.size()) + " ranges, more than " +
                std::to_string(kMaxRanges));
  }
  std::vector<RangeSpec> out;
  for (std::string_view element : elements) {
    const std::size_t dash = element.find('-');
    if (dash == std::string_view::npos) {
      return Fail("range " + Shown(element, 32) + " has no '-' (first-last, first- or -suffix)");
    }
    const std::string_view first_text = element.substr(0, dash);
    const std::string_view last_text = element.substr(dash + 1);
    RangeSpec spec;
    if (!first_text.empty()) {
      spec.first = Decimal(first_text);
      if (!spec.first) {
        return Fail("range " + Shown(element, 32) + " does not start with a number of bytes");
      }
    }
    if (!last_text.empty()) {
      spec.last = Decimal(last_text);
      if (!spec.last) {
        return Fail("range " + Shown(element, 32) + " does not end with a number of bytes");
      }
    }
    if (!spec.first && !spec.last) return Fail("range '-' gives neither end");
    if (spec.first && spec.last && *spec.last < *spec.first) {
      return Fail("range " + Shown(element, 32) + " ends before it begins");
    }
    out.push_back(spec);
  }
  return out;
}

RangeChoice ChooseRange(const std::vector<RangeSpec>& ranges, std::uint64_t size) {
  RangeChoice choice;
  if (ranges.size() != 1) return choice;
  const RangeSpec& spec = ranges.front();
  if (!spec.first) {
    // The last n bytes; a suffix of 0 bytes, or of an empty file, selects nothing.
    if (!spec.last || *spec.last == 0 || size == 0) {
      choice.kind = RangeChoice::Kind::kUnsatisfiable;
      return choice;
    }
    choice.kind = RangeChoice::Kind::kPart;
    choice.first = size > *spec.last ? size - *spec.last : 0;
    choice.last = size - 1;
    return choice;
  }
  if (*spec.first >= size) {
    choice.kind = RangeChoice::Kind::kUnsatisfiable;
    return choice;
  }
  choice.kind = RangeChoice::Kind::kPart;
  choice.first = *spec.first;
  choice.last = spec.last && *spec.last < size ? *spec.last : size - 1;
  return choice;
}

std::string FormatHttpDate(std::time_t time) {
  constexpr std::int64_t kLatest = 253402300799;  // 9999-12-31 23:59:59
  const std::int64_t t = std::clamp<std::int64_t>(time, 0, kLatest);
  const std::int64_t days = t / 86400;
  const std::int64_t seconds = t % 86400;
  const CivilDate date = CivilFromDays(days);
  const auto weekday = static_cast<std::size_t>((days + 4) % 7);  // 1970-01-01 was a Thursday
  auto two = [](std::int64_t v) {
    return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
  };
  std::string year = std::to_string(date.year);
  return std::string(kDayNames[weekday]) + ", " + two(date.day) + " " +
         std::string(kMonthNames[date.month - 1]) + " " + year + " " + two(seconds / 3600) + ":" +
         two(seconds / 60 % 60) + ":" + two(seconds % 60) + " GMT";
}

Result<std::time_t> ParseHttpDate(std::string_view text) {
  std::optional<DateFields> f = ImfFixdate(text);
  if (!f) f = Rfc850Date(text);
  if (!f) f = AsctimeDate(text);
  if (!f) {
    return Fail("date " + Shown(text) +
                " is not an HTTP-date such as 'Sun, 06 Nov 1994 08:49:37 GMT' (RFC 9110 §5.6.7)");
  }
  const unsigned month = f->month + 1;
  if (f->day < 1 || f->day > DaysInMonth(f->year, month) || f->hour > 23 || f->minute > 59 ||
      f->second > 60) {
    return Fail("date " + Shown(text) + " is not a real time of day");
  }
  const std::int64_t days = DaysFromCivil(f->year, month, f->day);
  return static_cast<std::time_t>(days * 86400 + f->hour * 3600 + f->minute * 60 + f->second);
}

}  // namespace opencapf::http
