#include "cli/command_doc.h"

#include <string_view>

#include "cli/option_choices.h"

namespace opencapf::cli {

namespace {

/// The option's own type name ("MODE", "TEXT", "INT"), without what its validators add to it in
/// --help (":FILE", ":{sha1,sha512}"): a type name may hold ':' itself ("HOST[:PORT]").
std::string BaseTypeName(CLI::Option& option, std::vector<std::string>& validator_texts) {
  std::string name = option.get_type_name();
  std::vector<std::string> added;
  for (int index = 0;; ++index) {
    try {
      const std::string text = option.get_validator(index)->get_description();
      if (!text.empty()) added.push_back(text);
    } catch (const CLI::OptionNotFound&) {
      break;
    }
  }
  for (auto it = added.rbegin(); it != added.rend(); ++it) {
    const std::string suffix = ":" + *it;
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
    }
  }
  validator_texts = std::move(added);
  return name;
}

bool HasText(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

/// Untyped text (CLI11's "TEXT") is most often a path: --signer, --cert, --out.
ValueKind KindOf(const std::string& type_name, const std::vector<std::string>& validator_texts) {
  for (const auto& text : validator_texts) {
    if (text == "DIR") return ValueKind::kDirectory;
    if (text == "FILE" || text == "PATH(existing)") return ValueKind::kFile;
  }
  if (HasText(type_name, "DIR")) return ValueKind::kDirectory;
  if (type_name == "TEXT" || HasText(type_name, "FILE") || type_name.ends_with(".pem") ||
      type_name.ends_with(".tlv") || type_name.ends_with(".csv")) {
    return ValueKind::kFile;
  }
  return ValueKind::kText;
}

std::vector<std::string> FlagNames(const std::set<CLI::Option*>& options) {
  std::vector<std::string> names;
  for (const CLI::Option* option : options) names.push_back(option->get_name());
  return names;
}

OptionDoc DescribeOption(CLI::Option& option) {
  OptionDoc doc;
  for (const auto& name : option.get_snames()) doc.flags.push_back("-" + name);
  for (const auto& name : option.get_lnames()) doc.flags.push_back("--" + name);
  doc.description = option.get_description();
  doc.default_value = option.get_default_str();
  doc.required = option.get_required();
  doc.repeats = option.get_expected_max() > 1 ||
                option.get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
  doc.excludes = FlagNames(option.get_excludes());
  doc.needs = FlagNames(option.get_needs());
  if (option.get_expected_max() == 0) {
    doc.kind = ValueKind::kNone;
    return doc;
  }
  std::vector<std::string> validator_texts;
  const std::string type_name = BaseTypeName(option, validator_texts);
  doc.value_name = doc.positional() ? option.get_name(true) : type_name;
  doc.choices = ChoicesOf(option);
  doc.kind = doc.choices.empty() ? KindOf(type_name, validator_texts) : ValueKind::kChoice;
  return doc;
}

CommandDoc Describe(CLI::App& app, std::vector<std::string> path) {
  CommandDoc doc;
  doc.path = std::move(path);
  doc.description = app.get_description();
  doc.footer = app.get_footer();
  // CLI11 gives a subcommand its parent's footer as it stood when the subcommand was added: said
  // once, on the parent.
  if (const CLI::App* parent = app.get_parent(); parent && parent->get_footer() == doc.footer) {
    doc.footer.clear();
  }
  doc.needs_subcommand = app.get_require_subcommand_min() > 0;
  const CLI::Option* help = app.get_help_ptr();
  for (CLI::Option* option : app.get_options()) {
    if (option == help || option->get_group().empty()) continue;
    OptionDoc described = DescribeOption(*option);
    (described.positional() ? doc.positionals : doc.options).push_back(std::move(described));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App* a) { return !a->get_group().empty(); })) {
    std::vector<std::string> sub_path = doc.path;
    sub_path.push_back(sub->get_name());
    doc.subcommands.push_back(Describe(*sub, std::move(sub_path)));
  }
  return doc;
}

void CollectLeaves(const CommandDoc& command, std::vector<const CommandDoc*>& out) {
  if (command.subcommands.empty()) {
    out.push_back(&command);
    return;
  }
  for (const auto& sub : command.subcommands) CollectLeaves(sub, out);
}

}  // namespace

std::string CommandDoc::Name() const {
  std::string name;
  for (const auto& word : path) name += (name.empty() ? "" : " ") + word;
  return name;
}

std::vector<const CommandDoc*> CommandDoc::Leaves() const {
  std::vector<const CommandDoc*> leaves;
  CollectLeaves(*this, leaves);
  return leaves;
}

CommandDoc DescribeCommand(CLI::App& app) { return Describe(app, {app.get_name()}); }

}  // namespace opencapf::cli
