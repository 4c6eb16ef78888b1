#include "cli/man_page.h"

#include <cctype>
#include <sstream>

#include "cli/man_prose.h"
#include "cli/roff.h"

namespace opencapf::cli {

namespace {

// `opencapf help` is a page of its own in no manual: opencapf(1) explains it.
constexpr std::string_view kNoPageFamily = "help";

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string PageName(const CommandDoc& family) { return family.path[0] + "-" + family.path[1]; }

/// A description as a sentence: CLI11 descriptions often leave the final full stop off.
std::string Sentence(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (!text.empty() && std::string_view(".!?").find(text.back()) == std::string_view::npos) {
    text += '.';
  }
  return text;
}

std::string WithoutFullStop(std::string text) {
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

/// "--a, -b" in bold.
std::string FlagsText(const OptionDoc& option) {
  std::string out;
  for (const auto& flag : option.flags) out += (out.empty() ? "" : ", ") + RoffBold(flag);
  return out;
}

/// The option as the synopsis writes it: "[--auth MODE]", "NAME", "--roles ROLES".
std::string SynopsisWord(const OptionDoc& option) {
  std::string word;
  if (option.positional()) {
    word = RoffItalic(option.value_name) + (option.repeats ? "\\ .\\|.\\|." : "");
  } else {
    // The long name alone: the synopsis shows the spelling a script would use.
    word = RoffBold(option.flags.back());
    if (!option.value_name.empty()) word += "\\ " + RoffItalic(option.value_name);
  }
  if (!option.required) word = "[" + word + "]";
  if (!option.positional() && option.repeats) word += "\\ .\\|.\\|.";
  return word;
}

void WriteSynopsis(std::ostream& out, const CommandDoc& command) {
  out << ".SY " << RoffArgument(command.Name()) << "\n";
  // Options first, as --help lists them; then the positionals, which may follow them.
  for (const auto& option : command.options) out << SynopsisWord(option) << "\n";
  for (const auto& positional : command.positionals) out << SynopsisWord(positional) << "\n";
  out << ".YS\n";
}

std::string CommaList(const std::vector<std::string>& words, bool bold) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ", ";
    out += bold ? RoffBold(words[i]) : RoffText(words[i]);
  }
  return out;
}

/// Whether `text` already lists every one of `words` (most descriptions list their choices).
bool NamesEvery(std::string_view text, const std::vector<std::string>& words) {
  for (const auto& word : words) {
    if (text.find(word) == std::string_view::npos) return false;
  }
  return true;
}

/// One option or positional under its command: its names, then what it is for, its values and
/// default, and the flags it goes with.
void WriteOption(std::ostream& out, const OptionDoc& option) {
  out << ".TP\n";
  if (option.positional()) {
    out << RoffItalic(option.value_name) << "\n";
  } else {
    out << FlagsText(option);
    if (!option.value_name.empty()) out << " " << RoffItalic(option.value_name);
    out << "\n";
  }
  std::string body = RoffText(Sentence(option.description));
  if (option.required && !option.positional()) body += " Required.";
  if (!option.choices.empty() && !NamesEvery(option.description, option.choices)) {
    body += " Values: " + CommaList(option.choices, true) + ".";
  }
  if (!option.default_value.empty()) body += " Default: " + RoffBold(option.default_value) + ".";
  if (option.repeats && option.description.find("repeat") == std::string::npos) {
    body += " May be given more than once.";
  }
  if (!option.excludes.empty()) body += " Not with " + CommaList(option.excludes, true) + ".";
  if (!option.needs.empty()) body += " Needs " + CommaList(option.needs, true) + ".";
  out << body << "\n";
}

/// The paragraphs of `text` (separated by blank lines), each after .PP.
void WriteParagraphs(std::ostream& out, std::string_view text) {
  while (!text.empty()) {
    const std::size_t end = text.find("\n\n");
    out << ".PP\n" << RoffText(text.substr(0, end)) << "\n";
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 2);
  }
}

/// A footer's lines: what a command's codes mean ("Exit status: ...", "Exit codes: ..."), which the
/// page gathers under EXIT STATUS, and the rest, which stays with the command.
struct FooterParts {
  std::vector<std::string> notes;
  std::string exit_status;
};

FooterParts SplitFooter(std::string_view footer) {
  FooterParts parts;
  while (!footer.empty()) {
    const std::size_t end = footer.find('\n');
    const std::string_view line = footer.substr(0, end);
    if (line.starts_with("Exit status: ") || line.starts_with("Exit codes: ")) {
      parts.exit_status = std::string(line.substr(line.find(": ") + 2));
    } else if (!line.empty()) {
      parts.notes.emplace_back(line);
    }
    if (end == std::string_view::npos) break;
    footer.remove_prefix(end + 1);
  }
  return parts;
}

void WriteNotes(std::ostream& out, const std::string& footer) {
  for (const auto& note : SplitFooter(footer).notes) out << ".PP\n" << RoffText(note) << "\n";
}

void WriteCommandOptions(std::ostream& out, const CommandDoc& command) {
  for (const auto& positional : command.positionals) WriteOption(out, positional);
  for (const auto& option : command.options) WriteOption(out, option);
  WriteNotes(out, command.footer);
}

void WriteExamples(std::ostream& out, const std::vector<ManExample>& examples) {
  if (examples.empty()) return;
  out << ".SH EXAMPLES\n";
  for (const auto& example : examples) {
    out << ".PP\n" << RoffText(Sentence(std::string(example.what))) << "\n";
    out << ".PP\n.RS 4\n.nf\n" << RoffBold(example.command) << "\n.fi\n.RE\n";
  }
}

void WriteDocs(std::ostream& out, const std::vector<std::string_view>& docs) {
  if (docs.empty()) return;
  std::vector<std::string> paths;
  for (auto doc : docs)
    paths.push_back(doc == "README.md" ? "README.md" : "docs/" + std::string(doc));
  out << ".PP\nIn the opencapf sources: " << CommaList(paths, false) << ".\n";
}

void WriteHeader(std::ostream& out, const std::string& page, std::string_view version) {
  out << ".\\\" Generated by 'opencapf manual' from opencapf's command definitions: edit those,\n"
      << ".\\\" or src/cli/man_prose.cc, never this file.\n"
      << ".TH " << RoffArgument(Upper(page)) << " 1 \"\" " << RoffArgument(version)
      << " \"opencapf Manual\"\n"
      // Typed words (flags, values, paths) are never hyphenated at a line's end (HY: the man
      // macros' own hyphenation setting, which they restore at each paragraph), and lines are not
      // stretched to fill the width.
      << ".nr HY 0\n.nh\n.ad l\n";
}

/// EXIT STATUS: what every command's codes mean, then what `commands` say of their own.
void WriteExitStatus(std::ostream& out, const std::vector<const CommandDoc*>& commands) {
  out << ".SH EXIT STATUS\n.TP\n0\nDone.\n.TP\n1\n"
      << RoffText(
             "Refused or failed: the message says why and what to do. Some commands give 1 a "
             "meaning of their own (a signature that does not verify, two files that differ): "
             "see each command.")
      << "\n.TP\n2\n"
      << RoffText(
             "A usage error: an unknown command or flag, a missing argument, a value that cannot "
             "be used. The message says what was wrong and which --help to read.")
      << "\n";
  for (const CommandDoc* command : commands) {
    const std::string codes = SplitFooter(command->footer).exit_status;
    if (!codes.empty())
      out << ".PP\n" << RoffBold(command->Name()) << ": " << RoffText(codes) << "\n";
  }
}

ManPage FamilyPage(const CommandDoc& family, std::string_view version) {
  std::ostringstream out;
  const std::string page = PageName(family);
  const ManProse* prose = ManProseFor(family.path[1]);
  WriteHeader(out, page, version);
  out << ".SH NAME\n" << RoffText(page) << " \\- " << RoffText(family.description) << "\n";
  out << ".SH SYNOPSIS\n";
  const auto leaves = family.Leaves();
  for (const CommandDoc* leaf : leaves) WriteSynopsis(out, *leaf);
  out << ".SH DESCRIPTION\n.PP\n" << RoffText(Sentence(family.description)) << "\n";
  if (prose != nullptr) WriteParagraphs(out, prose->description);
  if (family.subcommands.empty()) {
    if (!family.positionals.empty() || !family.options.empty()) out << ".SH OPTIONS\n";
    WriteCommandOptions(out, family);
  } else {
    out << ".SH COMMANDS\n";
    for (const CommandDoc* leaf : leaves) {
      out << ".SS " << RoffArgument(leaf->Name()) << "\n";
      out << ".PP\n" << RoffText(Sentence(leaf->description)) << "\n";
      WriteCommandOptions(out, *leaf);
    }
    if (!SplitFooter(family.footer).notes.empty()) {
      out << ".SH NOTES\n";
      WriteNotes(out, family.footer);
    }
  }
  std::vector<const CommandDoc*> with_codes = {&family};
  if (!family.subcommands.empty())
    with_codes.insert(with_codes.end(), leaves.begin(), leaves.end());
  WriteExitStatus(out, with_codes);
  if (prose != nullptr) WriteExamples(out, prose->examples);
  out << ".SH SEE ALSO\n.PP\n" << RoffBold(family.path[0]) << "(1)\n";
  if (prose != nullptr) WriteDocs(out, prose->docs);
  return {page + ".1", out.str()};
}

/// The --data default the commands share (var/opencapf), for FILES.
std::string DataDefault(const CommandDoc& root) {
  for (const auto& family : root.subcommands) {
    for (const CommandDoc* leaf : family.Leaves()) {
      for (const auto& option : leaf->options) {
        if (option.flags.back() == "--data" && !option.default_value.empty()) {
          return option.default_value;
        }
      }
    }
  }
  return "";
}

bool HasPage(const CommandDoc& family) { return family.path[1] != kNoPageFamily; }

ManPage RootPage(const CommandDoc& root, std::string_view version) {
  std::ostringstream out;
  const std::string& name = root.path[0];
  const ManProse* prose = ManProseFor("");
  const std::string summary = root.description.substr(0, root.description.find('\n'));
  WriteHeader(out, name, version);
  // NAME's text is what apropos shows: the first line of the description, without "opencapf: ".
  const std::string prefix = name + ": ";
  out << ".SH NAME\n"
      << RoffText(name) << " \\- "
      << RoffText(
             WithoutFullStop(summary.starts_with(prefix) ? summary.substr(prefix.size()) : summary))
      << "\n";
  out << ".SH SYNOPSIS\n.SY " << RoffArgument(name) << "\n"
      << RoffItalic("COMMAND") << "\n[" << RoffItalic("SUBCOMMAND") << "]\n["
      << RoffItalic("OPTIONS") << "]\n.YS\n";
  out << ".SY " << RoffArgument(name) << "\n"
      << RoffItalic("COMMAND") << "\n"
      << RoffBold("--help") << "\n.YS\n";
  for (const auto& option : root.options) {
    out << ".SY " << RoffArgument(name) << "\n" << RoffBold(option.flags.back()) << "\n.YS\n";
  }
  out << ".SH DESCRIPTION\n";
  // The prose says what --help's two lines say, at more length.
  WriteParagraphs(out, prose != nullptr ? prose->description : root.description);

  out << ".SH COMMANDS\n";
  for (const auto& family : root.subcommands) {
    out << ".TP\n" << RoffBold(family.Name());
    if (!family.positionals.empty() && family.subcommands.empty()) {
      for (const auto& positional : family.positionals) out << " " << SynopsisWord(positional);
    } else if (!family.subcommands.empty()) {
      std::vector<std::string> names;
      for (const auto& sub : family.subcommands) names.push_back(sub.path.back());
      out << " " << CommaList(names, true);
    }
    out << "\n" << RoffText(Sentence(family.description));
    if (HasPage(family)) out << " See " << RoffBold(PageName(family)) << "(1).";
    out << "\n";
  }
  out << ".SH OPTIONS\n.TP\n"
      << RoffBold("--help") << "\n"
      << RoffText(
             "Every command and subcommand takes it: what the command does, its arguments and "
             "flags. 'opencapf help COMMAND...' prints the same.")
      << "\n";
  for (const auto& option : root.options) WriteOption(out, option);

  const std::string data = DataDefault(root);
  out << ".SH FILES\n.PP\nUnder the data directory " << RoffItalic("DIR") << " ("
      << RoffBold("--data") << (data.empty() ? "" : ", by default " + RoffBold(data)) << "):\n";
  for (const auto& file : ManDataFiles()) {
    out << ".TP\n"
        << RoffItalic("DIR/" + std::string(file.path)) << "\n"
        << RoffText(Sentence(std::string(file.holds))) << "\n";
  }
  out << ".SH ENVIRONMENT\n";
  WriteParagraphs(out, ManEnvironment());
  WriteExitStatus(out, {});
  if (prose != nullptr) WriteExamples(out, prose->examples);
  out << ".SH SEE ALSO\n.PP\n";
  std::vector<std::string> pages;
  for (const auto& family : root.subcommands) {
    if (HasPage(family)) pages.push_back(PageName(family));
  }
  for (std::size_t i = 0; i < pages.size(); ++i) {
    out << RoffBold(pages[i]) << "(1)" << (i + 1 < pages.size() ? ",\n" : "\n");
  }
  if (prose != nullptr) WriteDocs(out, prose->docs);
  return {name + ".1", out.str()};
}

}  // namespace

std::vector<ManPage> ManPages(const CommandDoc& root, std::string_view version) {
  std::vector<ManPage> pages = {RootPage(root, version)};
  for (const auto& family : root.subcommands) {
    if (HasPage(family)) pages.push_back(FamilyPage(family, version));
  }
  return pages;
}

}  // namespace opencapf::cli
