#pragma once

#include <string_view>
#include <vector>

namespace opencapf::cli {

// What a manual page says beyond the command definitions: why a command family exists, how an
// administrator uses it, and where to read more. Synopses, options, values and defaults are never
// written here; they come from the command line itself (command_doc.h).

/// A command line worth copying, and what it does.
struct ManExample {
  std::string_view what;
  std::string_view command;
};

/// The hand-written parts of one page.
struct ManProse {
  /// The command family ("device"); "" for opencapf(1) itself.
  std::string_view family;
  /// Paragraphs, separated by a blank line, after the family's one-line description.
  std::string_view description;
  std::vector<ManExample> examples;
  /// The files of docs/ in the opencapf sources that explain the family in depth.
  std::vector<std::string_view> docs;
};

/// A file under the data directory: its path relative to the directory, and what it holds.
struct ManFile {
  std::string_view path;
  std::string_view holds;
};

/// opencapf(1)'s FILES.
const std::vector<ManFile>& ManDataFiles();

/// opencapf(1)'s ENVIRONMENT.
std::string_view ManEnvironment();

/// The prose for `family`, or nullptr when it has none (its page then holds the generated parts
/// only).
const ManProse* ManProseFor(std::string_view family);

}  // namespace opencapf::cli
