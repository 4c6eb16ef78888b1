#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace opencapf::cli {

// A command line as the manual pages and the shell completion see it: what CLI11 knows about each
// command and option, taken from the App tree main() builds, so neither can drift from it.

/// What a shell can offer for an option's value.
enum class ValueKind {
  kNone,       ///< A flag: it takes no value.
  kChoice,     ///< One of OptionDoc::choices.
  kFile,       ///< A file name (FILE, CERT.pem, an existing file, or an untyped text).
  kDirectory,  ///< A directory (DIR).
  kText,       ///< Anything else: a number, a name, a time; nothing to offer.
};

/// One option or positional argument.
struct OptionDoc {
  /// "--auth", or "-h, --help" spelled as names; empty for a positional.
  std::vector<std::string> flags;
  /// A positional's name ("NAME"), an option's value ("MODE"); empty for a flag.
  std::string value_name;
  std::string description;
  /// The default --help shows, if any.
  std::string default_value;
  std::vector<std::string> choices;
  ValueKind kind = ValueKind::kText;
  bool required = false;
  /// Given more than once (or, for a positional, takes several words).
  bool repeats = false;
  /// Flags it cannot be used with, and flags it needs.
  std::vector<std::string> excludes, needs;

  bool positional() const { return flags.empty(); }
};

/// One command: "opencapf device add" and what it takes.
struct CommandDoc {
  /// The words that run it: {"opencapf", "device", "add"}.
  std::vector<std::string> path;
  std::string description;
  /// Text --help prints after the options (exit codes, notes), unless its parent says the same.
  std::string footer;
  std::vector<OptionDoc> positionals;
  /// Without --help, which every command has.
  std::vector<OptionDoc> options;
  /// The visible subcommands, in the order they were added.
  std::vector<CommandDoc> subcommands;
  /// A subcommand must be given (the command does nothing itself).
  bool needs_subcommand = false;

  /// "opencapf device add".
  std::string Name() const;
  /// The commands that do something: this one if it has no subcommands, else theirs, depth first.
  std::vector<const CommandDoc*> Leaves() const;
};

/// Describes `app` and its visible subcommands; hidden ones (CLI11 group "") are left out.
/// Non-const: CLI11 reads an option's validators only through a non-const option.
CommandDoc DescribeCommand(CLI::App& app);

}  // namespace opencapf::cli
