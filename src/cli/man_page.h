#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/command_doc.h"

namespace opencapf::cli {

/// One manual page: its file name ("opencapf-device.1") and its man(7) source.
struct ManPage {
  std::string file_name;
  std::string source;
};

/// opencapf(1), and opencapf-FAMILY(1) for every visible top-level command but `help`: synopses,
/// options, values and defaults from `root` (the whole command line), the rest from
/// man_prose.h. `version` goes in each page's footer.
std::vector<ManPage> ManPages(const CommandDoc& root, std::string_view version);

}  // namespace opencapf::cli
