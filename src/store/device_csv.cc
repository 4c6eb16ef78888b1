#include "store/device_csv.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "store/time_text.h"

namespace opencapf::store {

namespace {

/// How far ahead a scheduled operation without complete_by must complete (the procedure asks
/// for at least an hour).
constexpr std::time_t kDefaultDeadline = 3600;

/// One CSV record and the line it starts on.
struct Record {
  std::size_t line = 0;
  std::vector<std::string> fields;
  bool blank = false;  ///< nothing but blanks on the line
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string TrimRight(std::string s) {
  while (!s.empty() && IsBlank(s.back())) s.pop_back();
  return s;
}

std::string LineError(std::size_t line, const std::string& message) {
  return "line " + std::to_string(line) + ": " + message;
}

/// Splits RFC 4180 text into records. A record with a syntax error is reported and skipped;
/// an unterminated quote ends the scan (nothing after it can be read reliably).
std::vector<Record> SplitRecords(std::string_view text, std::vector<std::string>& errors) {
  std::vector<Record> out;
  std::size_t pos = 0;
  std::size_t line = 1;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;

  auto at_end_of_record = [&] {
    return pos >= text.size() || text[pos] == '\n' || text[pos] == '\r';
  };
  auto consume_newline = [&] {
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos < text.size() && text[pos] == '\n') ++pos;
    ++line;
  };
  auto skip_rest_of_line = [&] {
    while (!at_end_of_record()) ++pos;
    consume_newline();
  };

  while (pos < text.size()) {
    Record record;
    record.line = line;
    bool any_quoted = false;
    bool broken = false;
    for (;;) {  // one field per turn
      while (pos < text.size() && IsBlank(text[pos])) ++pos;
      std::string field;
      if (pos < text.size() && text[pos] == '"') {
        any_quoted = true;
        const std::size_t opened_on = line;
        ++pos;
        bool closed = false;
        while (pos < text.size()) {
          char c = text[pos];
          if (c == '"') {
            if (pos + 1 < text.size() && text[pos + 1] == '"') {
              field += '"';
              pos += 2;
              continue;
            }
            ++pos;
            closed = true;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++pos;
        }
        if (!closed) {
          errors.push_back(LineError(opened_on,
                                     "a quoted field is never closed; add the missing '\"' "
                                     "(a quote inside a quoted field is written \"\")"));
          return out;
        }
        while (pos < text.size() && IsBlank(text[pos])) ++pos;
        if (!at_end_of_record() && text[pos] != ',') {
          errors.push_back(LineError(line, "text after the closing quote of field " +
                                               std::to_string(record.fields.size() + 1) +
                                               "; inside quotes write a quote as \"\""));
          skip_rest_of_line();
          broken = true;
          break;
        }
      } else {
        while (!at_end_of_record() && text[pos] != ',') {
          if (text[pos] == '"') {
            errors.push_back(LineError(
                line, "a '\"' inside unquoted field " + std::to_string(record.fields.size() + 1) +
                          "; put the whole field in quotes and write the quote as \"\""));
            skip_rest_of_line();
            broken = true;
            break;
          }
          field += text[pos++];
        }
        if (broken) break;
        field = TrimRight(std::move(field));
      }
      record.fields.push_back(std::move(field));
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      consume_newline();
      break;
    }
    if (broken) continue;
    record.blank = !any_quoted && record.fields.size() == 1 && record.fields[0].empty();
    out.push_back(std::move(record));
  }
  return out;
}

/// A header name in canonical form: lower case, '-' as '_', blanks dropped.
std::string ColumnKey(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (IsBlank(c)) continue;
    out += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string ColumnList() {
  std::string out;
  for (std::string_view c : kDeviceCsvColumns) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

/// A small positive decimal number, or nullopt.
std::optional<int> SmallNumber(const std::string& text) {
  if (text.empty() || text.size() > 6) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

DeviceCsv ParseDeviceCsv(std::string_view text, const Clock& clock) {
  DeviceCsv out;
  std::vector<Record> records = SplitRecords(text, out.errors);
  records.erase(
      std::remove_if(records.begin(), records.end(), [](const Record& r) { return r.blank; }),
      records.end());
  if (records.empty()) {
    if (out.errors.empty()) {
      out.errors.push_back(LineError(1,
                                     "the file has no header; the first line names the "
                                     "columns, e.g. name,operation,auth,complete_by"));
    }
    return out;
  }

  // The header.
  const Record& header = records.front();
  std::vector<std::string> columns;
  bool header_ok = true;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    std::string key = ColumnKey(header.fields[i]);
    if (key.empty()) {
      out.errors.push_back(LineError(
          header.line,
          "column " + std::to_string(i + 1) + " has no name; columns are: " + ColumnList()));
      header_ok = false;
    } else if (std::find(kDeviceCsvColumns.begin(), kDeviceCsvColumns.end(), key) ==
               kDeviceCsvColumns.end()) {
      out.errors.push_back(LineError(
          header.line, "unknown column '" + header.fields[i] + "'; columns are: " + ColumnList()));
      header_ok = false;
    } else if (std::find(columns.begin(), columns.end(), key) != columns.end()) {
      out.errors.push_back(LineError(header.line, "column '" + key + "' is named twice; keep one"));
      header_ok = false;
    }
    columns.push_back(std::move(key));
  }
  if (columns.empty() || columns.front() != "name") {
    out.errors.push_back(
        LineError(header.line, "the first column must be 'name' (found '" +
                                   (header.fields.empty() ? std::string() : header.fields.front()) +
                                   "'); e.g. name,operation,auth,complete_by"));
    header_ok = false;
  }
  if (!header_ok) return out;
  if (records.size() == 1 && out.errors.empty()) {
    out.errors.push_back(LineError(header.line, "the header is not followed by any device row"));
    return out;
  }

  // The rows.
  const std::time_t now = clock.Now();
  std::map<std::string, std::size_t> seen;  // name -> line
  std::size_t defaulted = 0;
  std::vector<Device> devices;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const Record& row = records[r];
    auto error = [&](const std::string& message) {
      out.errors.push_back(LineError(row.line, message));
    };
    if (row.fields.size() != columns.size()) {
      error(std::to_string(row.fields.size()) + " fields, but the header on line " +
            std::to_string(header.line) + " names " + std::to_string(columns.size()) +
            " columns; quote a field that holds a ','");
      continue;
    }

    Device d;
    bool fields_ok = true;
    auto bad = [&](const std::string& message) {
      error(message);
      fields_ok = false;
    };
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::string& column = columns[c];
      const std::string& value = row.fields[c];
      if (column == "name") {
        auto name = NormalizeDeviceName(value);
        if (name.ok()) {
          d.name = *name;
        } else {
          bad(name.message());
        }
        continue;
      }
      if (value.empty()) continue;  // the default
      if (column == "operation") {
        auto v = ParseOperation(value);
        v.ok() ? void(d.operation = *v) : bad(v.message());
      } else if (column == "auth") {
        auto v = ParseAuthMode(value);
        v.ok() ? void(d.auth = *v) : bad(v.message());
      } else if (column == "auth_string") {
        d.auth_string = value;
      } else if (column == "key_order") {
        auto v = ParseKeyOrder(value);
        v.ok() ? void(d.key_order = *v) : bad(v.message());
      } else if (column == "rsa_bits") {
        auto v = SmallNumber(value);
        v ? void(d.rsa_bits = *v)
          : bad("rsa_bits '" + value + "' is not a number; use 1024, 2048, 3072 or 4096");
      } else if (column == "ec_curve") {
        auto v = SmallNumber(value);
        v ? void(d.ec_curve = *v)
          : bad("ec_curve '" + value + "' is not a number; use 256, 384 or 521");
      } else if (column == "complete_by") {
        auto v = ParseTime(value, clock);
        v.ok() ? void(d.complete_by = *v) : bad("complete_by: " + v.message());
      } else if (column == "encrypted_config") {
        auto v = ParseEncryptedConfig(value);
        v.ok() ? void(d.encrypted_config = *v) : bad(v.message());
      }
    }
    if (!fields_ok) continue;

    if (d.operation != Operation::kNone && !d.complete_by) {
      d.complete_by = now + kDefaultDeadline;
      ++defaulted;
    }
    if (d.operation != Operation::kNone) d.operation_status = std::string(kStatusPending);
    std::vector<std::string> problems = Problems(d);
    for (const std::string& p : problems) error(p);
    Status ahead = CheckScheduleAhead(d, now);
    if (!ahead.ok()) error(ahead.message());
    if (!problems.empty() || !ahead.ok()) continue;

    auto [it, fresh] = seen.emplace(d.name, row.line);
    if (!fresh) {
      error(d.name + " is already on line " + std::to_string(it->second) +
            "; give each device once");
      continue;
    }
    devices.push_back(std::move(d));
  }

  if (!out.errors.empty()) return out;
  if (defaulted > 0) {
    out.notes.push_back(std::to_string(defaulted) +
                        (defaulted == 1 ? " scheduled device has" : " scheduled devices have") +
                        " no complete_by; using " + FormatTime(now + kDefaultDeadline) +
                        " (one hour from now), as the procedure asks for at least an hour");
  }
  out.devices = std::move(devices);
  return out;
}

}  // namespace opencapf::store
