#include "cli/option_choices.h"

#include <string_view>

namespace opencapf::cli {

namespace {

// The recording validator's name: this prefix, then the values separated by kChoiceSeparator
// (a character no option value uses: they are typed words).
constexpr std::string_view kChoicesPrefix = "opencapf-choices:";
constexpr char kChoiceSeparator = '\n';

}  // namespace

CLI::Option* Choices(CLI::Option* option, const std::vector<std::string>& values) {
  std::string name(kChoicesPrefix);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) name += kChoiceSeparator;
    name += values[i];
  }
  // Inactive: CLI11 neither runs it nor shows a description for it.
  CLI::Validator record([](const std::string&) { return std::string(); }, "", name);
  record.active(false);
  return option->check(record);
}

CLI::Option* OneOf(CLI::Option* option, const std::vector<std::string>& values) {
  return Choices(option->check(CLI::IsMember(values)), values);
}

std::vector<std::string> ChoicesOf(CLI::Option& option) {
  for (int index = 0;; ++index) {
    const CLI::Validator* validator = nullptr;
    try {
      validator = option.get_validator(index);
    } catch (const CLI::OptionNotFound&) {
      return {};
    }
    const std::string& name = validator->get_name();
    if (name.rfind(kChoicesPrefix, 0) != 0) continue;
    std::vector<std::string> values;
    std::string value;
    for (char c : std::string_view(name).substr(kChoicesPrefix.size())) {
      if (c == kChoiceSeparator) {
        values.push_back(value);
        value.clear();
      } else {
        value += c;
      }
    }
    values.push_back(value);
    return values;
  }
}

}  // namespace opencapf::cli
