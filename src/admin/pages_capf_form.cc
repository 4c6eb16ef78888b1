#include "admin/pages_capf_form.h"

#include <utility>
#include <vector>

#include "admin/http.h"
#include "admin/pages.h"
#include "store/time_text.h"

namespace opencapf::admin::pages {

namespace {

using Options = std::vector<std::pair<std::string, std::string>>;

template <typename E>
Options EnumOptions(std::initializer_list<E> values) {
  Options out;
  for (E v : values) out.emplace_back(store::ToText(v), store::DisplayText(v));
  return out;
}

const Options& OperationOptions() {
  static const Options options =
      EnumOptions({store::Operation::kNone, store::Operation::kInstall, store::Operation::kDelete,
                   store::Operation::kTroubleshoot});
  return options;
}

const Options& AuthOptions() {
  static const Options options =
      EnumOptions({store::AuthMode::kNullString, store::AuthMode::kAuthString,
                   store::AuthMode::kExistingLsc, store::AuthMode::kExistingMic});
  return options;
}

const Options& KeyOrderOptions() {
  static const Options options = EnumOptions(
      {store::KeyOrder::kRsa, store::KeyOrder::kEc, store::KeyOrder::kEcPreferredRsaBackup});
  return options;
}

const Options& RsaOptions() {
  static const Options options = {
      {"1024", "1024"}, {"2048", "2048"}, {"3072", "3072"}, {"4096", "4096"}};
  return options;
}

const Options& EcOptions() {
  static const Options options = {{"256", "256"}, {"384", "384"}, {"521", "521"}};
  return options;
}

std::string Field(const httplib::Request& req, const char* name, const std::string& fallback) {
  return req.has_param(name) ? Trim(req.get_param_value(name)) : fallback;
}

// Whether the Encrypted Configuration box shows ticked: "on", or another spelling of it.
bool Ticked(const std::string& value) {
  auto on = store::ParseEncryptedConfig(value);
  return on.ok() && *on;
}

// A checkbox behind a hidden "off": the last value posted.
std::string LastField(const httplib::Request& req, const char* name, const std::string& fallback) {
  const std::size_t count = req.get_param_value_count(name);
  return count > 0 ? Trim(req.get_param_value(name, count - 1)) : fallback;
}

// A select whose value is not one of its options (a hand-made post) still shows what was sent.
Options WithValue(Options options, const std::string& value) {
  for (const auto& o : options) {
    if (o.first == value) return options;
  }
  options.emplace_back(value, value);
  return options;
}

std::string InvalidAttributes(const std::string& field, const std::string& invalid_field) {
  return field == invalid_field ? "class=\"invalid\" aria-invalid=\"true\" "
                                  "aria-describedby=\"form-error\""
                                : "";
}

// The hint's id is the field's name + "-hint": app.js rewrites "auth_string-hint" after
// Generate String, so the two must keep agreeing.
std::string Row(const std::string& field, const std::string& control,
                const std::string& hint = {}) {
  return "<tr><th><label for=\"" + field + "\">" + FieldLabel(field) + "</label></th><td>" +
         control +
         (hint.empty() ? "" : "<div class=\"hint\" id=\"" + field + "-hint\">" + hint + "</div>") +
         "</td></tr>\n";
}

}  // namespace

CapfForm FormFromDevice(const store::Device& d) {
  CapfForm f;
  f.operation = std::string(store::ToText(d.operation));
  f.auth = std::string(store::ToText(d.auth));
  f.auth_string = d.auth_string.value_or("");
  f.key_order = std::string(store::ToText(d.key_order));
  f.rsa_bits = std::to_string(d.rsa_bits);
  f.ec_curve = std::to_string(d.ec_curve);
  f.complete_by = d.complete_by ? store::FormatTime(*d.complete_by) : "";
  f.encrypted_config = std::string(store::OnOffText(d.encrypted_config));
  return f;
}

CapfForm FormFromRequest(const httplib::Request& req, const CapfForm& defaults) {
  CapfForm f;
  f.operation = Field(req, "operation", defaults.operation);
  f.auth = Field(req, "auth", defaults.auth);
  f.auth_string = Field(req, "auth_string", defaults.auth_string);
  f.key_order = Field(req, "key_order", defaults.key_order);
  f.rsa_bits = Field(req, "rsa_bits", defaults.rsa_bits);
  f.ec_curve = Field(req, "ec_curve", defaults.ec_curve);
  f.complete_by = Field(req, "complete_by", defaults.complete_by);
  f.encrypted_config = LastField(req, "encrypted_config", defaults.encrypted_config);
  return f;
}

store::DeviceFieldText FieldsToChange(const CapfForm& form, const store::Device* stored) {
  store::DeviceFieldText fields;
  if (stored == nullptr) {
    auto given = [](const std::string& v) {
      return v.empty() ? std::nullopt : std::optional<std::string>(v);
    };
    fields.operation = given(form.operation);
    fields.auth = given(form.auth);
    fields.auth_string = given(form.auth_string);
    fields.key_order = given(form.key_order);
    fields.rsa_bits = given(form.rsa_bits);
    fields.ec_curve = given(form.ec_curve);
    fields.encrypted_config = given(form.encrypted_config);
    // A deadline without an operation would be refused; the form leaves it empty then.
    if (form.operation != "none") fields.complete_by = given(form.complete_by);
    return fields;
  }
  const CapfForm now = FormFromDevice(*stored);
  auto changed = [](const std::string& typed, const std::string& current) {
    return typed == current ? std::nullopt : std::optional<std::string>(typed);
  };
  fields.operation = changed(form.operation, now.operation);
  fields.auth = changed(form.auth, now.auth);
  fields.key_order = changed(form.key_order, now.key_order);
  fields.rsa_bits = changed(form.rsa_bits, now.rsa_bits);
  fields.ec_curve = changed(form.ec_curve, now.ec_curve);
  fields.encrypted_config = changed(form.encrypted_config, now.encrypted_config);
  // An emptied string box with another Authentication Mode: the mode change drops the string.
  // An emptied box with By Authentication String is passed on, and the rules say what to type.
  if (!(form.auth_string.empty() && form.auth != "auth-string")) {
    fields.auth_string = changed(form.auth_string, now.auth_string);
  }
  // An emptied deadline keeps the stored one (or, when scheduling, gets the default); a
  // cancelled operation clears it by itself.
  if (!form.complete_by.empty() && form.operation != "none") {
    fields.complete_by = changed(form.complete_by, now.complete_by);
  }
  return fields;
}

std::string CapfFieldRows(const CapfForm& f, const std::string& invalid) {
  std::string html;
  html += Row("operation", Select("operation", WithValue(OperationOptions(), f.operation),
                                  f.operation, InvalidAttributes("operation", invalid)));
  html += Row("auth", Select("auth", WithValue(AuthOptions(), f.auth), f.auth,
                             InvalidAttributes("auth", invalid)));
  html += Row("auth_string",
              "<input type=\"text\" id=\"auth_string\" name=\"auth_string\" inputmode=\"numeric\" "
              "autocomplete=\"off\" maxlength=\"10\" value=\"" +
                  HtmlEscape(f.auth_string) + "\" " + InvalidAttributes("auth_string", invalid) +
                  "> <button type=\"button\" id=\"generate-string\" "
                  "data-generate-for=\"auth_string\">Generate String</button>",
              "4-10 digits, typed on the phone; used only with By Authentication String.");
  html += Row("key_order", Select("key_order", WithValue(KeyOrderOptions(), f.key_order),
                                  f.key_order, InvalidAttributes("key_order", invalid)));
  html += Row("rsa_bits", Select("rsa_bits", WithValue(RsaOptions(), f.rsa_bits), f.rsa_bits,
                                 InvalidAttributes("rsa_bits", invalid)));
  html += Row("ec_curve", Select("ec_curve", WithValue(EcOptions(), f.ec_curve), f.ec_curve,
                                 InvalidAttributes("ec_curve", invalid)));
  html +=
      Row("complete_by",
          "<input type=\"text\" id=\"complete_by\" name=\"complete_by\" "
          "placeholder=\"+1h or 2026-12-01T10:00:00Z\" value=\"" +
              HtmlEscape(f.complete_by) + "\" " + InvalidAttributes("complete_by", invalid) + ">",
          "+1h or 2026-12-01T10:00:00Z (UTC; a time without a zone is the server's local "
          "time). At least an hour ahead; empty gives one hour from now when an operation "
          "is scheduled.");
  // The hidden "off" goes first: an unticked box posts nothing, a ticked one "on" after it.
  html += Row("encrypted_config",
              "<input type=\"hidden\" name=\"encrypted_config\" value=\"off\">"
              "<input type=\"checkbox\" id=\"encrypted_config\" name=\"encrypted_config\" "
              "value=\"on\"" +
                  std::string(Ticked(f.encrypted_config) ? " checked" : "") + " " +
                  InvalidAttributes("encrypted_config", invalid) + ">",
              "Serve the phone's configuration file only encrypted to its RSA LSC (its MIC "
              "before it has one), as CUCM's Encrypted TFTP Configuration does.");
  return html;
}

}  // namespace opencapf::admin::pages
