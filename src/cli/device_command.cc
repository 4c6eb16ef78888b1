// `opencapf device add|set|show|list|remove|import`: each phone's "CAPF Information" (the
// section of CUCM's phone page), kept in the store under --data.
//
// Exit codes: 0 done; 1 refused (invalid device, no such device, already exists, deadline
// passed, unreadable or invalid file, data directory not initialised, store failure); 2 the
// command line itself is wrong (a flag value that is not one of its choices, not a number or
// not a time; a flag that does not apply; nothing to change).
#include <algorithm>
#include <cctype>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/file.h"
#include "base/json.h"
#include "cli/command.h"
#include "cli/data_dir_options.h"
#include "opencapf_paths.h"
#include "cli/option_choices.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "service/device_encryption.h"
#include "service/phone_config.h"
#include "store/device.h"
#include "store/device_csv.h"
#include "store/device_edit.h"
#include "store/device_json.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "store/time_text.h"

namespace opencapf::cli {

namespace {

using store::AuthMode;
using store::DaysLeft;
using store::Device;
using store::DeviceJson;
using store::EventJson;
using store::KeyOrder;
using store::LscStatus;
using store::Operation;
using store::Span;

constexpr int kOk = 0;
constexpr int kRefused = 1;
constexpr int kUsage = 2;

/// Why a command stopped: its exit code and what to tell the user.
struct Stop {
  int code;
  std::string message;
};

int Report(const std::string& who, const Stop& stop) {
  std::cerr << who << stop.message << "\n";
  return stop.code;
}

/// The store's messages name fields as the CSV does (auth_string); on the command line they
/// are flags (--auth-string).
std::string AsFlags(std::string message) {
  static const std::pair<std::string_view, std::string_view> kWords[] = {
      {"auth_string", "--auth-string"}, {"complete_by", "--complete-by"},
      {"rsa_bits", "--rsa-bits"},       {"ec_curve", "--ec-curve"},
      {"key_order", "--key-order"},     {"encrypted_config", "--encrypted-config"},
  };
  for (const auto& [field, flag] : kWords) {
    for (std::size_t at = message.find(field); at != std::string::npos;
         at = message.find(field, at + flag.size())) {
      message.replace(at, field.size(), flag);
    }
  }
  return message;
}

// ---------------------------------------------------------------------------------------------
// Opening the store.
// ---------------------------------------------------------------------------------------------

/// The CAPF port the server is configured with, for the "next step" text.
std::string CapfPort(const std::string& data) {
  const service::DataDir dir(data);
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) return "the configured CAPF port";
  return "TCP " + std::to_string(config->capf.port);
}

// ---------------------------------------------------------------------------------------------
// Text.
// ---------------------------------------------------------------------------------------------

/// "2026-12-01T10:00:00Z (in 59m)" or "... (passed 2h ago)".
std::string Deadline(std::time_t at, std::time_t now) {
  std::string out = store::FormatTime(at);
  if (at > now) return out + " (in " + Span(at - now) + ")";
  return out + " (passed " + Span(now - at) + " ago)";
}

std::string DaysText(std::time_t not_after, std::time_t now) {
  if (not_after <= now) {
    const long long ago = -DaysLeft(not_after, now) - 1;
    return ago <= 0 ? "expired today" : "expired " + std::to_string(ago) + " days ago";
  }
  const long long days = DaysLeft(not_after, now);
  return days == 1 ? "1 day left" : std::to_string(days) + " days left";
}

/// A "Label:   value" line with the values of one block lined up.
void Line(std::ostream& out, std::string_view indent, std::string_view label,
          const std::string& value, std::size_t width = 30) {
  out << indent << label << ":";
  for (std::size_t i = label.size() + 1; i < width; ++i) out << ' ';
  out << ' ' << value << "\n";
}

void PrintCertificate(std::ostream& out, const store::StoredCertificate& cert, std::time_t now) {
  Line(out, "    ", "Serial Number", cert.serial_hex, 14);
  Line(out, "    ", "Subject", cert.subject, 14);
  Line(out, "    ", "Issuer", cert.issuer, 14);
  Line(out, "    ", "Valid From", store::FormatTime(cert.not_before), 14);
  Line(out, "    ", "Valid To",
       store::FormatTime(cert.not_after) + " (" + DaysText(cert.not_after, now) + ")", 14);
}

/// How the authentication string is shown: `device show` shows it, as CUCM's phone page does;
/// what add, set and list print (which tends to end up in logs) only says whether it is set.
std::string AuthStringText(const Device& d, bool reveal) {
  if (!d.auth_string) return d.auth == AuthMode::kAuthString ? "(none)" : "(not used)";
  if (reveal) return *d.auth_string;
  return "(set, " + std::to_string(d.auth_string->size()) + " digits; 'device show' shows it)";
}

/// The CAPF Information section, in CUCM's labels.
void PrintCapfInformation(std::ostream& out, const Device& d, std::time_t now, bool reveal) {
  out << "  CAPF Information\n";
  Line(out, "    ", "Certificate Operation", std::string(store::DisplayText(d.operation)));
  Line(out, "    ", "Authentication Mode", std::string(store::DisplayText(d.auth)));
  Line(out, "    ", "Authentication String", AuthStringText(d, reveal));
  Line(out, "    ", "Key Order", std::string(store::DisplayText(d.key_order)));
  Line(out, "    ", "RSA Key Size (Bits)", std::to_string(d.rsa_bits));
  Line(out, "    ", "EC Key Size (Bits)", std::to_string(d.ec_curve));
  Line(out, "    ", "Operation Completes By", d.complete_by ? Deadline(*d.complete_by, now) : "-");
  Line(out, "    ", "Encrypted Configuration", std::string(store::OnOffText(d.encrypted_config)));
  Line(out, "    ", "Certificate Operation Status", d.operation_status);
  Line(out, "    ", "LSC Status", std::string(store::DisplayText(d.lsc_status)));
}

/// With Encrypted Configuration on: why the phone's configuration cannot be served encrypted,
/// and what to type; nothing when it can (or the setting is off).
void PrintEncryptedConfigWarning(std::ostream& out, const Device& d, const std::string& data) {
  if (!d.encrypted_config) return;
  const std::string problem = service::EncryptedConfigProblem(d);
  if (problem.empty()) return;
  out << "  warning: Encrypted Configuration is on, but " << problem << "\n"
      << "    give it an RSA LSC: opencapf device set " << d.name
      << " --operation install --key-order rsa" << DataArg(data) << "\n"
      << "    or serve its configuration unencrypted: opencapf device set " << d.name
      << " --encrypted-config off" << DataArg(data) << "\n";
}

/// What the administrator does after scheduling, for the operation the device now has.
std::string NextStep(const Device& d, const std::string& data) {
  if (d.operation == Operation::kNone) {
    return "next: nothing is scheduled for this phone; to give it an LSC: opencapf device set " +
           d.name + " --operation install" + DataArg(data) + "\n";
  }
  const service::DataDir dir(data);
  std::string out =
      "next:\n  1. The phone's ITLFile.tlv must have a CAPF record holding this server's CAPF\n"
      "     certificate (" +
      dir.certificate(service::kCapf).string() +
      "); check it with: opencapf itl show ITLFile.tlv\n"
      "  2. Reset the phone (on CUCM: Save, then Apply Config) so it connects to CAPF on " +
      CapfPort(data) + "\n     before " + store::FormatTime(d.complete_by.value_or(0)) + ".";
  switch (d.auth) {
    case AuthMode::kAuthString:
      out += " The phone's user enters the authentication string when asked.";
      break;
    case AuthMode::kExistingLsc:
      out += " The phone proves itself with its LSC (without one, its MIC).";
      break;
    case AuthMode::kExistingMic:
      out += " The phone proves itself with its MIC (without one, its LSC).";
      break;
    case AuthMode::kNullString:
      break;
  }
  out += "\n  3. ";
  switch (d.operation) {
    case Operation::kInstall:
      out += "Its LSC Status goes to Pending, then Installed (Upgrade Success).";
      break;
    case Operation::kDelete:
      out += "It deletes its LSC (Delete Success).";
      break;
    case Operation::kTroubleshoot:
      out += "It sends its LSC, or its MIC, which is recorded (Troubleshoot Success).";
      break;
    case Operation::kNone:
      break;
  }
  return out + " Follow it with:\n     opencapf device show " + d.name + DataArg(data) + "\n";
}

// ---------------------------------------------------------------------------------------------
// JSON (field names as in the REST API: the flags with underscores), in the order the page
// shows them.
// ---------------------------------------------------------------------------------------------

/// As DumpJson (invalid UTF-8 replaced, not thrown), keeping the fields in insertion order.
std::string Dump(const nlohmann::ordered_json& value) {
  return value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// ---------------------------------------------------------------------------------------------
// The CAPF Information flags of add and set.
// ---------------------------------------------------------------------------------------------

/// The flags as typed; each option pointer says whether its flag was given.
struct FieldFlags {
  std::string operation, auth, auth_string, key_order, rsa_bits, ec_curve, complete_by,
      encrypted_config;
  CLI::Option* operation_opt = nullptr;
  CLI::Option* auth_opt = nullptr;
  CLI::Option* auth_string_opt = nullptr;
  CLI::Option* key_order_opt = nullptr;
  CLI::Option* rsa_bits_opt = nullptr;
  CLI::Option* ec_curve_opt = nullptr;
  CLI::Option* complete_by_opt = nullptr;
  CLI::Option* encrypted_config_opt = nullptr;
};

void AddFieldFlags(CLI::App& cmd, FieldFlags& f) {
  f.operation_opt = cmd.add_option("--operation", f.operation,
                                   "Certificate Operation: install (Install/Upgrade), delete, "
                                   "troubleshoot, or none (cancels what is scheduled)")
                        ->type_name("OPERATION");
  f.auth_opt = cmd.add_option("--auth", f.auth,
                              "Authentication Mode: null-string, auth-string, existing-lsc "
                              "(LSC first, else MIC), existing-mic (MIC first, else LSC)")
                   ->type_name("MODE");
  f.auth_string_opt =
      cmd.add_option("--auth-string", f.auth_string,
                     "Authentication String for --auth auth-string: 4-10 digits, used once")
          ->type_name("DIGITS");
  f.key_order_opt =
      cmd.add_option("--key-order", f.key_order, "Key Order: rsa, ec, ec-preferred-rsa-backup")
          ->type_name("ORDER");
  f.rsa_bits_opt =
      cmd.add_option("--rsa-bits", f.rsa_bits, "RSA Key Size: 1024, 2048 (default), 3072, 4096")
          ->type_name("BITS");
  f.ec_curve_opt = cmd.add_option("--ec-curve", f.ec_curve, "EC Key Size: 256 (default), 384, 521")
                       ->type_name("CURVE");
  f.complete_by_opt =
      cmd.add_option(
             "--complete-by", f.complete_by,
             "Operation Completes By: ISO 8601 (2026-12-01T10:00:00Z; without a zone: local time) "
             "or from now: +90s, +15m, +1h, +2d. Default for a scheduled operation: +1h")
          ->type_name("TIME");
  f.encrypted_config_opt =
      cmd.add_option("--encrypted-config", f.encrypted_config,
                     "Encrypted Configuration: on serves the phone's configuration only "
                     "encrypted to its RSA LSC (its MIC before it has one), off (default) plain; "
                     "true/false, yes/no, 1/0 work too")
          ->type_name("on|off");
  // The store reads the values (its own messages, other spellings): these are the choices the
  // manual and the shell completion offer.
  Choices(f.operation_opt, store::FieldChoices("operation"));
  Choices(f.auth_opt, store::FieldChoices("auth"));
  Choices(f.key_order_opt, store::FieldChoices("key_order"));
  Choices(f.rsa_bits_opt, store::FieldChoices("rsa_bits"));
  Choices(f.ec_curve_opt, store::FieldChoices("ec_curve"));
  Choices(f.encrypted_config_opt, store::FieldChoices("encrypted_config"));
}

bool Given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

/// The flags given, as text.
store::DeviceFieldText FieldText(const FieldFlags& f) {
  store::DeviceFieldText t;
  if (Given(f.operation_opt)) t.operation = f.operation;
  if (Given(f.auth_opt)) t.auth = f.auth;
  if (Given(f.auth_string_opt)) t.auth_string = f.auth_string;
  if (Given(f.key_order_opt)) t.key_order = f.key_order;
  if (Given(f.rsa_bits_opt)) t.rsa_bits = f.rsa_bits;
  if (Given(f.ec_curve_opt)) t.ec_curve = f.ec_curve;
  if (Given(f.complete_by_opt)) t.complete_by = f.complete_by;
  if (Given(f.encrypted_config_opt)) t.encrypted_config = f.encrypted_config;
  return t;
}

/// A field by its flag: "complete_by" is "--complete-by".
std::string FlagName(std::string_view field) {
  std::string flag = "--" + std::string(field);
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

Stop AsStop(const store::EditError& e) {
  // A usage message already names its flag; the store's own rules name fields as the CSV does.
  if (e.kind == store::EditError::Kind::kUsage) return Stop{kUsage, e.message};
  return Stop{kRefused, AsFlags(e.message)};
}

/// Reads the flags given; a value that is not one of a flag's choices is a usage error.
std::optional<Stop> ReadFlags(const FieldFlags& f, const Clock& clock, store::DeviceChanges& out) {
  if (auto e = store::ReadDeviceChanges(FieldText(f), clock, FlagName, out)) return AsStop(*e);
  return std::nullopt;
}

/// Applies `c` to `d` as `device add` (a new device) or `device set` does.
std::optional<Stop> Apply(const store::DeviceChanges& c, Device& d, std::time_t now,
                          std::vector<std::string>& notes) {
  if (auto e = store::ApplyDeviceChanges(c, d, now, FlagName, notes)) return AsStop(*e);
  return std::nullopt;
}

/// The device name from the command line, canonical ("sep..." gives "SEP...").
std::optional<Stop> ReadName(const std::string& typed, std::string& name) {
  auto normalized = store::NormalizeDeviceName(typed);
  if (!normalized.ok()) return Stop{kRefused, normalized.message()};
  name = *normalized;
  return std::nullopt;
}

/// "There is no such device", with what to type: add it (when that is what the user may have
/// meant) or look at the list.
Stop NoSuchDevice(const std::string& name, const std::string& data, bool suggest_add) {
  std::string message = "there is no device " + name + " in " + data + "; ";
  if (suggest_add) message += "add it with 'opencapf device add " + name + DataArg(data) + "', or ";
  return Stop{kRefused,
              message + "see the devices there with 'opencapf device list" + DataArg(data) + "'"};
}

void PrintNotes(const std::vector<std::string>& notes) {
  for (const auto& note : notes) std::cout << "note: " << note << "\n";
}

// ---------------------------------------------------------------------------------------------
// The commands.
// ---------------------------------------------------------------------------------------------

struct EditArgs {
  std::string name;
  std::string data = kDefaultDataDir;
  FieldFlags fields;
};

int RunAdd(const EditArgs& args) {
  const std::string who = "opencapf device add: ";
  const Clock& clock = SystemClock::Instance();
  Device d;
  if (auto stop = ReadName(args.name, d.name)) return Report(who, *stop);
  store::DeviceChanges changes;
  if (auto stop = ReadFlags(args.fields, clock, changes)) return Report(who, *stop);
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, {kRefused, store.message()});

  const std::time_t now = clock.Now();
  std::vector<std::string> notes;
  if (auto stop = Apply(changes, d, now, notes)) return Report(who, *stop);
  if (Status added = (*store)->Add(d); !added.ok()) {
    auto existing = (*store)->Get(d.name);
    if (existing.ok() && *existing) {
      return Report(who, {kRefused, added.message() + "; change it with 'opencapf device set " +
                                        d.name + " ..." + DataArg(args.data) + "'"});
    }
    return Report(who, {kRefused, AsFlags(added.message())});
  }
  auto stored = (*store)->Get(d.name);
  if (stored.ok() && *stored) d = **stored;

  AuditCli(**store, "device.create", d.name,
           store::DifferencesText(store::Device{.name = d.name}, d));
  std::cout << "added " << d.name << "\n";
  PrintCapfInformation(std::cout, d, now, /*reveal=*/false);
  PrintEncryptedConfigWarning(std::cout, d, args.data);
  PrintNotes(notes);
  std::cout << NextStep(d, args.data);
  return kOk;
}

int RunSet(const EditArgs& args) {
  const std::string who = "opencapf device set: ";
  const Clock& clock = SystemClock::Instance();
  std::string name;
  if (auto stop = ReadName(args.name, name)) return Report(who, *stop);
  store::DeviceChanges changes;
  if (auto stop = ReadFlags(args.fields, clock, changes)) return Report(who, *stop);
  if (!changes.any()) {
    return Report(who, {kUsage, "nothing to change for " + name +
                                    "; give one or more of --operation, --auth, --auth-string, "
                                    "--key-order, --rsa-bits, --ec-curve, --complete-by, "
                                    "--encrypted-config (see 'opencapf help device set')"});
  }
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, {kRefused, store.message()});

  // The change is applied to the stored device as read; if someone (the server) changes the
  // device in between, the save is refused and the change is applied again to the new state.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    auto got = (*store)->Get(name);
    if (!got.ok()) return Report(who, {kRefused, got.message()});
    if (!*got) return Report(who, NoSuchDevice(name, args.data, true));
    const Device before = **got;
    Device after = before;
    const std::time_t now = clock.Now();
    std::vector<std::string> notes;
    if (auto stop = Apply(changes, after, now, notes)) return Report(who, *stop);

    const std::vector<std::string> changed = store::DeviceDifferences(before, after);
    if (changed.empty()) {
      std::cout << "unchanged: " << name << " already has these values\n";
      PrintCapfInformation(std::cout, after, now, /*reveal=*/false);
      PrintNotes(notes);
      return kOk;
    }
    Status saved = (*store)->Save(after, std::nullopt);
    if (!saved.ok()) {
      auto again = (*store)->Get(name);
      const bool raced = again.ok() && *again && (*again)->version != before.version;
      if (raced && attempt < kAttempts) continue;
      return Report(who, {kRefused, AsFlags(saved.message())});
    }
    auto stored = (*store)->Get(name);
    if (stored.ok() && *stored) after = **stored;
    AuditCli(**store,
             changes.operation || changes.complete_by ? "device.schedule" : "device.update", name,
             store::DifferencesText(before, after));
    std::cout << "updated " << name << ":\n";
    for (const auto& line : changed) std::cout << "  " << line << "\n";
    PrintCapfInformation(std::cout, after, now, /*reveal=*/false);
    PrintEncryptedConfigWarning(std::cout, after, args.data);
    PrintNotes(notes);
    if (changes.operation || changes.complete_by) std::cout << NextStep(after, args.data);
    return kOk;
  }
}

struct ShowArgs {
  std::string name;
  std::string data = kDefaultDataDir;
  bool json = false;
};

void PrintHistory(std::ostream& out, const std::vector<store::Event>& events) {
  if (events.empty()) {
    out << "  History: no sessions yet\n";
    return;
  }
  out << "  History (newest first)\n";
  std::vector<std::vector<std::string>> rows = {
      {"TIME", "PEER", "OPERATION", "RESULT", "DURATION", "REASON"}};
  for (const auto& e : events) {
    rows.push_back({store::FormatTime(e.at), e.peer.empty() ? "-" : e.peer, e.operation, e.result,
                    std::to_string(e.duration_ms) + " ms", e.reason});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i + 1 < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    out << "    ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      out << row[i];
      if (i + 1 < row.size()) out << std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << "\n";
  }
}

int RunShow(const ShowArgs& args) {
  const std::string who = "opencapf device show: ";
  std::string name;
  if (auto stop = ReadName(args.name, name)) return Report(who, *stop);
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, {kRefused, store.message()});
  auto got = (*store)->Get(name);
  if (!got.ok()) return Report(who, {kRefused, got.message()});
  if (!*got) return Report(who, NoSuchDevice(name, args.data, true));
  const Device& d = **got;
  auto history = (*store)->History(name, 0);
  if (!history.ok()) return Report(who, {kRefused, history.message()});
  const std::time_t now = SystemClock::Instance().Now();

  if (args.json) {
    nlohmann::ordered_json j = DeviceJson(d, now, /*pem=*/true);
    j["history"] = nlohmann::ordered_json::array();
    for (const auto& e : *history) j["history"].push_back(EventJson(e));
    std::cout << Dump(j) << "\n";
    return kOk;
  }

  std::cout << "Device " << d.name << "\n";
  PrintCapfInformation(std::cout, d, now, /*reveal=*/true);
  PrintEncryptedConfigWarning(std::cout, d, args.data);
  if (d.lsc) {
    std::cout << "  LSC\n";
    PrintCertificate(std::cout, *d.lsc, now);
  } else {
    std::cout << "  LSC: none recorded\n";
  }
  if (d.pending_lsc) {
    std::cout << "  Pending LSC (issued; the phone has not confirmed storing it)\n";
    PrintCertificate(std::cout, *d.pending_lsc, now);
  }
  if (d.mic) {
    std::cout << "  MIC (last seen from the phone)\n";
    PrintCertificate(std::cout, *d.mic, now);
  } else {
    std::cout << "  MIC: not seen\n";
  }
  PrintHistory(std::cout, *history);
  std::cout << "  Added " << store::FormatTime(d.created) << ", last changed "
            << store::FormatTime(d.updated) << "\n";
  if (d.lsc || d.pending_lsc || d.mic) {
    std::cout << "  (certificates as PEM: opencapf device show " << d.name << DataArg(args.data)
              << " --json)\n";
  }
  return kOk;
}

struct ListArgs {
  std::string data = kDefaultDataDir;
  std::string lsc_status;
  std::string operation_status;
  std::string auth_string;
  CLI::Option* lsc_status_opt = nullptr;
  CLI::Option* operation_status_opt = nullptr;
  CLI::Option* auth_string_opt = nullptr;
  bool json = false;
};

/// Whether a status filter can match anything opencapf writes (the whole status, or the part
/// before ": ", in any letter case), as the store compares them.
bool KnownStatus(const std::string& text) {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string want = lower(text);
  for (const auto& status : store::AllOperationStatuses()) {
    const std::string s = lower(status);
    if (s == want || s.substr(0, s.find(": ")) == want) return true;
  }
  return false;
}

int RunList(const ListArgs& args) {
  const std::string who = "opencapf device list: ";
  store::DeviceFilter filter;
  std::vector<std::string> described;
  if (Given(args.lsc_status_opt)) {
    auto v = store::ParseLscStatus(args.lsc_status);
    if (!v.ok()) return Report(who, {kUsage, "--lsc-status: " + v.message()});
    filter.lsc_status = *v;
    described.push_back("LSC Status " + std::string(store::DisplayText(*v)));
  }
  if (Given(args.operation_status_opt)) {
    filter.operation_status = args.operation_status;
    described.push_back("operation status '" + args.operation_status + "'");
  }
  if (Given(args.auth_string_opt)) {
    filter.auth_string = args.auth_string;
    described.push_back("the authentication string given");
  }
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, {kRefused, store.message()});
  auto devices = (*store)->List(filter);
  if (!devices.ok()) return Report(who, {kRefused, devices.message()});
  const std::time_t now = SystemClock::Instance().Now();

  if (filter.operation_status && !KnownStatus(*filter.operation_status)) {
    std::string known;
    for (const auto& s : store::AllOperationStatuses()) known += "\n  " + s;
    std::cerr << "note: '" << *filter.operation_status
              << "' is not an operation status opencapf writes; it matches a whole status or "
                 "the part before ': ' (e.g. 'Upgrade Failed'), in any letter case. They are:"
              << known << "\n";
  }

  if (args.json) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& d : *devices) j.push_back(DeviceJson(d, now, /*pem=*/false));
    std::cout << Dump(j) << "\n";
    return kOk;
  }

  std::string filters;
  for (const auto& f : described) filters += (filters.empty() ? "" : ", ") + f;
  if (devices->empty()) {
    if (filters.empty()) {
      std::cout << "no devices yet; add one with 'opencapf device add SEP001122AABBCC "
                   "--operation install"
                << DataArg(args.data) << "', or import a CSV with 'opencapf device import FILE"
                << DataArg(args.data) << "'\n";
    } else {
      std::cout << "no devices with " << filters << "\n";
    }
    return kOk;
  }

  std::vector<std::vector<std::string>> rows = {{"NAME", "OPERATION", "AUTH", "COMPLETE BY",
                                                 "LSC STATUS", "LSC NOT AFTER",
                                                 "OPERATION STATUS"}};
  std::size_t installed = 0, pending = 0, not_installed = 0;
  for (const auto& d : *devices) {
    std::string lsc_end = "-";
    if (d.lsc) {
      lsc_end = store::FormatTime(d.lsc->not_after).substr(0, 10) + " (" +
                std::to_string(DaysLeft(d.lsc->not_after, now)) + "d)";
    }
    rows.push_back({d.name, std::string(store::ToText(d.operation)),
                    std::string(store::ToText(d.auth)),
                    d.complete_by ? store::FormatTime(*d.complete_by) : "-",
                    std::string(store::DisplayText(d.lsc_status)), lsc_end, d.operation_status});
    switch (d.lsc_status) {
      case LscStatus::kInstalled:
        ++installed;
        break;
      case LscStatus::kPending:
        ++pending;
        break;
      case LscStatus::kNotInstalled:
        ++not_installed;
        break;
    }
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::cout << row[i];
      if (i + 1 < row.size()) std::cout << std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << "\n";
  }
  std::cout << devices->size() << (devices->size() == 1 ? " device" : " devices")
            << (filters.empty() ? "" : " with " + filters) << ": " << installed << " Installed, "
            << pending << " Pending, " << not_installed << " Not Installed\n";
  return kOk;
}

struct RemoveArgs {
  std::string name;
  std::string data = kDefaultDataDir;
};

int RunRemove(const RemoveArgs& args) {
  const std::string who = "opencapf device remove: ";
  std::string name;
  if (auto stop = ReadName(args.name, name)) return Report(who, *stop);
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, {kRefused, store.message()});
  auto got = (*store)->Get(name);
  if (!got.ok()) return Report(who, {kRefused, got.message()});
  if (!*got) return Report(who, NoSuchDevice(name, args.data, false));
  if (Status removed = (*store)->Remove(name); !removed.ok()) {
    return Report(who, {kRefused, removed.message()});
  }
  AuditCli(**store, "device.delete", name,
           (*got)->lsc ? "LSC " + (*got)->lsc->serial_hex + " revoked" : "");
  std::cout << "removed " << name << " (its session history is kept)\n";
  if ((*got)->lsc || (*got)->pending_lsc) {
    std::cout << "its LSC is recorded as revoked: head-ends refuse it from the next CRL "
                 "('opencapf trust crl'; a running serve refreshes its CRLs within seconds)\n";
  }
  if ((*got)->lsc_status == LscStatus::kInstalled) {
    std::cout << "note: the phone keeps its LSC (serial " << (*got)->lsc->serial_hex
              << "); to take it off the phone: opencapf device add " << name
              << " --operation delete" << DataArg(args.data) << "\n";
  }
  return kOk;
}

struct ImportArgs {
  std::string file;
  std::string data = kDefaultDataDir;
};

int RunImport(const ImportArgs& args) {
  const std::string who = "opencapf device import: ";
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, {kRefused, store.message()});
  auto bytes = ReadFile(args.file);
  if (!bytes.ok()) return Report(who, {kRefused, bytes.message()});
  const std::string text(bytes->begin(), bytes->end());

  const store::DeviceCsv csv = store::ParseDeviceCsv(text, SystemClock::Instance());
  if (!csv.ok()) {
    constexpr std::size_t kShown = 50;
    std::cerr << who << args.file << ": nothing imported; " << csv.errors.size()
              << (csv.errors.size() == 1 ? " problem" : " problems") << ":\n";
    for (std::size_t i = 0; i < csv.errors.size() && i < kShown; ++i) {
      std::cerr << "  " << args.file << ": " << csv.errors[i] << "\n";
    }
    if (csv.errors.size() > kShown) {
      std::cerr << "  ... and " << csv.errors.size() - kShown << " more\n";
    }
    std::cerr << "fix the file and import it again; the whole file is checked before anything "
                 "is written (columns: name,operation,auth,auth_string,key_order,rsa_bits,"
                 "ec_curve,complete_by,encrypted_config; see docs/devices.md)\n";
    return kRefused;
  }
  if (Status added = (*store)->AddAll(csv.devices); !added.ok()) {
    return Report(who, {kRefused, args.file + ": " + added.message() +
                                      "; remove those rows (change existing devices with "
                                      "'opencapf device set'), then import again"});
  }
  std::size_t scheduled = 0;
  for (const auto& d : csv.devices) scheduled += d.operation != Operation::kNone ? 1 : 0;
  PrintNotes(csv.notes);
  AuditCli(**store, "device.import", std::to_string(csv.devices.size()) + " devices",
           std::to_string(scheduled) + " with an operation scheduled");
  std::cout << "imported " << csv.devices.size()
            << (csv.devices.size() == 1 ? " device" : " devices") << " from " << args.file << " ("
            << scheduled << " with an operation scheduled)\n"
            << "see them with: opencapf device list" << DataArg(args.data) << "\n";
  return kOk;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// device cnf: what the phone's configuration file must say for it to find CAPF.
// ---------------------------------------------------------------------------------------------

struct CnfArgs {
  std::string name;
  std::string data = kDefaultDataDir;
  bool apply = false;
};

int RunCnf(const CnfArgs& args) {
  const std::string who = "opencapf device cnf: ";
  std::string name;
  if (auto stop = ReadName(args.name, name)) return Report(who, *stop);
  auto store = OpenStore(args.data);
  if (!store.ok()) return Report(who, {1, store.message()});
  auto device = (*store)->Get(name);
  if (!device.ok()) return Report(who, {1, device.message()});
  if (!*device) return Report(who, NoSuchDevice(name, args.data, true));
  const service::DataDir dir(args.data);
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) return Report(who, {1, config.message()});
  const service::CapfLocation capf{
      config->capf.host.empty() ? service::HostName() : config->capf.host, config->capf.port};
  if (!args.apply) {
    std::cout << service::CnfElements(**device, capf);
    return 0;
  }
  const auto path = dir.tftp() / (name + ".cnf.xml");
  if (auto st = service::ApplyCnf(path, **device, capf); !st.ok())
    return Report(who, {1, st.message()});
  std::cout << "wrote capfAuthMode " << service::CapfAuthModeCode((*device)->auth) << " and CAPF "
            << capf.host << ":" << capf.port << " into " << path.string()
            << " (everything else in the file kept)\n"
            << "next: reset the phone so it downloads its new configuration\n";
  return 0;
}

void AddDeviceCommands(CLI::App& root, ExitCode& exit) {
  auto* device = root.add_subcommand(
      "device", "Schedule and follow LSC operations per phone (the CAPF Information section)");
  device->require_subcommand(1);
  device->footer(
      "Exit status: 0 done; 1 refused (invalid values, no such device, already exists, data "
      "directory not initialised, unreadable file); 2 a flag value that cannot be read or does "
      "not apply, and any other command-line mistake (an unknown flag, a missing NAME).");

  {
    auto* cmd = device->add_subcommand(
        "add", "Add a phone and, with --operation, schedule a certificate operation for it");
    auto args = std::make_shared<EditArgs>();
    cmd->add_option("NAME", args->name,
                    "SEP + the 12 hex digits of the MAC address (SEP001122AABBCC), or "
                    "CSF/BOT/TCT/TAB + a user id")
        ->required();
    AddFieldFlags(*cmd, args->fields);
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunAdd(*args); });
  }
  {
    auto* cmd = device->add_subcommand(
        "set", "Change a phone's CAPF Information; only the flags given change");
    auto args = std::make_shared<EditArgs>();
    cmd->add_option("NAME", args->name, "The device, e.g. SEP001122AABBCC")->required();
    AddFieldFlags(*cmd, args->fields);
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunSet(*args); });
  }
  {
    auto* cmd = device->add_subcommand(
        "cnf",
        "Print the configuration elements a phone needs to find CAPF; --apply writes them "
        "into NAME.cnf.xml in the TFTP root (Apply Config)");
    auto args = std::make_shared<CnfArgs>();
    cmd->add_option("NAME", args->name, "The device, e.g. SEP001122AABBCC")->required();
    cmd->add_flag("--apply", args->apply,
                  "Write them into NAME.cnf.xml, keeping every other element of an existing file");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunCnf(*args); });
  }
  {
    auto* cmd = device->add_subcommand(
        "show", "Show a phone's CAPF Information, status, LSC, MIC and session history");
    auto args = std::make_shared<ShowArgs>();
    cmd->add_option("NAME", args->name, "The device, e.g. SEP001122AABBCC")->required();
    cmd->add_flag("--json", args->json, "Print it as JSON, certificates with their PEM");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunShow(*args); });
  }
  {
    auto* cmd = device->add_subcommand("list", "List phones, optionally only some");
    auto args = std::make_shared<ListArgs>();
    args->lsc_status_opt = cmd->add_option("--lsc-status", args->lsc_status,
                                           "Only these: installed, not-installed, pending")
                               ->type_name("STATUS");
    Choices(args->lsc_status_opt, store::FieldChoices("lsc_status"));
    args->operation_status_opt =
        cmd->add_option("--operation-status", args->operation_status,
                        "Only this Certificate Operation Status, any letter case: a whole status "
                        "('Operation Pending') or its part before ':' ('Upgrade Failed')")
            ->type_name("TEXT");
    args->auth_string_opt = cmd->add_option("--auth-string", args->auth_string,
                                            "Only the phone(s) with this authentication string")
                                ->type_name("DIGITS");
    cmd->add_flag("--json", args->json, "Print a JSON array (without certificate PEMs)");
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunList(*args); });
  }
  {
    auto* cmd = device->add_subcommand(
        "remove", "Remove a phone and its certificates from the store (its history is kept)");
    auto args = std::make_shared<RemoveArgs>();
    cmd->add_option("NAME", args->name, "The device, e.g. SEP001122AABBCC")->required();
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunRemove(*args); });
  }
  {
    auto* cmd = device->add_subcommand(
        "import", "Add phones from a CSV file: all of them, or none if any row is wrong");
    auto args = std::make_shared<ImportArgs>();
    cmd->add_option("FILE", args->file,
                    "CSV whose header names the columns: name, then any of operation, auth, "
                    "auth_string, key_order, rsa_bits, ec_curve, complete_by, encrypted_config")
        ->required();
    AddDataOption(*cmd, args->data);
    cmd->callback([args, &exit]() { exit.value = RunImport(*args); });
  }
}

}  // namespace opencapf::cli
