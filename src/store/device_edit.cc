#include "store/device_edit.h"

#include <charconv>

#include "store/time_text.h"

namespace opencapf::store {

namespace {

std::optional<int> Number(const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::string ApiFieldName(std::string_view field) { return std::string(field); }

std::string Span(std::time_t seconds) {
  if (seconds < 0) seconds = -seconds;
  const std::time_t days = seconds / 86400;
  const std::time_t hours = seconds % 86400 / 3600;
  const std::time_t minutes = seconds % 3600 / 60;
  std::string out;
  if (days > 0) {
    out = std::to_string(days) + "d";
    if (hours > 0) out += " " + std::to_string(hours) + "h";
  } else if (hours > 0) {
    out = std::to_string(hours) + "h";
    if (minutes > 0) out += " " + std::to_string(minutes) + "m";
  } else if (minutes > 0) {
    out = std::to_string(minutes) + "m";
  } else {
    out = std::to_string(seconds) + "s";
  }
  return out;
}

long long DaysLeft(std::time_t not_after, std::time_t now) {
  const long long diff = static_cast<long long>(not_after) - static_cast<long long>(now);
  // Floor division: a certificate that expired an hour ago has -1 days left, not 0.
  return diff >= 0 ? diff / 86400 : -((-diff + 86399) / 86400);
}

std::optional<EditError> ReadDeviceChanges(const DeviceFieldText& text, const Clock& clock,
                                           const FieldNamer& name, DeviceChanges& out) {
  auto usage = [&](std::string_view field, const std::string& message) {
    return EditError{EditError::Kind::kUsage, std::string(field), name(field) + ": " + message};
  };
  if (text.operation) {
    auto v = ParseOperation(*text.operation);
    if (!v.ok()) return usage("operation", v.message());
    out.operation = *v;
  }
  if (text.auth) {
    auto v = ParseAuthMode(*text.auth);
    if (!v.ok()) return usage("auth", v.message());
    out.auth = *v;
  }
  if (text.auth_string) out.auth_string = *text.auth_string;  // checked with the device
  if (text.key_order) {
    auto v = ParseKeyOrder(*text.key_order);
    if (!v.ok()) return usage("key_order", v.message());
    out.key_order = *v;
  }
  if (text.rsa_bits) {
    out.rsa_bits = Number(*text.rsa_bits);
    if (!out.rsa_bits) {
      return usage("rsa_bits",
                   "'" + *text.rsa_bits + "' is not a number; use 1024, 2048, 3072 or 4096");
    }
  }
  if (text.ec_curve) {
    out.ec_curve = Number(*text.ec_curve);
    if (!out.ec_curve) {
      return usage("ec_curve", "'" + *text.ec_curve + "' is not a number; use 256, 384 or 521");
    }
  }
  if (text.complete_by) {
    auto v = ParseTime(*text.complete_by, clock);
    if (!v.ok()) return usage("complete_by", v.message());
    out.complete_by = *v;
  }
  if (text.encrypted_config) {
    auto v = ParseEncryptedConfig(*text.encrypted_config);
    if (!v.ok()) return usage("encrypted_config", v.message());
    out.encrypted_config = *v;
  }
  return std::nullopt;
}

std::optional<EditError> ApplyDeviceChanges(const DeviceChanges& c, Device& d, std::time_t now,
                                            const FieldNamer& name,
                                            std::vector<std::string>& notes) {
  const std::optional<std::time_t> old_deadline = d.complete_by;
  if (c.operation) {
    d.operation = *c.operation;
    if (d.operation == Operation::kNone) {
      d.complete_by.reset();
      // Nothing is pending any more; a past result (Upgrade Success, ... Failed) stays.
      if (d.operation_status == kStatusPending) d.operation_status = std::string(kStatusNone);
    }
  }
  if (c.complete_by) {
    if (d.operation == Operation::kNone) {
      return EditError{EditError::Kind::kUsage, "complete_by",
                       name("complete_by") + " only applies to a scheduled operation, and " +
                           d.name + " has none; add " + name("operation") +
                           " install (or delete, troubleshoot)"};
    }
    d.complete_by = *c.complete_by;
  }
  if (c.auth) {
    d.auth = *c.auth;
    if (d.auth != AuthMode::kAuthString && d.auth_string && !c.auth_string) {
      d.auth_string.reset();
      notes.push_back("the authentication string was dropped: it is only used with " +
                      name("auth") + " auth-string");
    }
  }
  if (c.auth_string) d.auth_string = *c.auth_string;
  if (c.key_order) d.key_order = *c.key_order;
  if (c.rsa_bits) d.rsa_bits = *c.rsa_bits;
  if (c.ec_curve) d.ec_curve = *c.ec_curve;
  if (c.encrypted_config) d.encrypted_config = *c.encrypted_config;
  // An encrypted configuration is encrypted to the phone's RSA key (its LSC): a key order that
  // gives the phone an EC LSC leaves it without a configuration once it has one.
  if ((c.encrypted_config || c.key_order) && d.encrypted_config && d.key_order != KeyOrder::kRsa) {
    notes.push_back(name("encrypted_config") + " needs an RSA key, and Key Order " +
                    std::string(DisplayText(d.key_order)) +
                    " gives the phone an EC LSC, whose configuration cannot be served "
                    "encrypted; give " +
                    name("key_order") + " rsa");
  }

  // (Re)scheduling: an operation given, or a new deadline for the one scheduled.
  const bool scheduling =
      d.operation != Operation::kNone && (c.operation.has_value() || c.complete_by.has_value());
  if (scheduling) {
    d.operation_status = std::string(kStatusPending);
    if (!c.complete_by && (!d.complete_by || *d.complete_by <= now)) {
      d.complete_by = now + kDefaultDeadline;
      std::string why =
          old_deadline && *old_deadline <= now
              ? "the previous Operation Completes By (" + FormatTime(*old_deadline) + ") has passed"
              : "no " + name("complete_by") + " was given";
      notes.push_back(why + ", so Operation Completes By is one hour from now, " +
                      FormatTime(*d.complete_by) +
                      " (the procedure asks for at least an hour); give " + name("complete_by") +
                      " to choose another time");
    }
  }

  if (Status valid = Validate(d); !valid.ok()) {
    return EditError{EditError::Kind::kInvalid, "", valid.message()};
  }
  if (scheduling) {
    if (Status ahead = CheckScheduleAhead(d, now); !ahead.ok()) {
      return EditError{EditError::Kind::kInvalid, "complete_by", d.name + ": " + ahead.message()};
    }
    if (c.complete_by && *d.complete_by - now < kDefaultDeadline) {
      notes.push_back("Operation Completes By is only " + Span(*d.complete_by - now) +
                      " away; the procedure asks for at least an hour, since a phone may take "
                      "minutes to generate its key and must be reset first");
    }
  }
  return std::nullopt;
}

std::vector<std::string> DeviceDifferences(const Device& a, const Device& b) {
  std::vector<std::string> out;
  auto add = [&](std::string_view label, const std::string& from, const std::string& to) {
    if (from != to) out.push_back(std::string(label) + ": " + from + " -> " + to);
  };
  auto deadline = [&](const Device& d) {
    return d.complete_by ? FormatTime(*d.complete_by) : std::string("-");
  };
  add("Certificate Operation", std::string(DisplayText(a.operation)),
      std::string(DisplayText(b.operation)));
  add("Authentication Mode", std::string(DisplayText(a.auth)), std::string(DisplayText(b.auth)));
  if (a.auth_string != b.auth_string) {
    out.push_back(std::string("Authentication String: ") + (b.auth_string ? "changed" : "removed"));
  }
  add("Key Order", std::string(DisplayText(a.key_order)), std::string(DisplayText(b.key_order)));
  add("RSA Key Size (Bits)", std::to_string(a.rsa_bits), std::to_string(b.rsa_bits));
  add("EC Key Size (Bits)", std::to_string(a.ec_curve), std::to_string(b.ec_curve));
  add("Operation Completes By", deadline(a), deadline(b));
  add("Encrypted Configuration", std::string(OnOffText(a.encrypted_config)),
      std::string(OnOffText(b.encrypted_config)));
  add("Certificate Operation Status", a.operation_status, b.operation_status);
  return out;
}

std::string DifferencesText(const Device& before, const Device& after) {
  std::string out;
  for (const auto& line : DeviceDifferences(before, after)) {
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

}  // namespace opencapf::store
